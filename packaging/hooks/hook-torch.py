# Hearth's hook for torch (CPU), in place of pyinstaller-hooks-contrib's: the same data and libraries, but
# hidden imports only for the parts sentence-transformers and transformers reach at run time. The contrib hook
# imports every torch submodule to list them (tens of minutes on a small machine) and bundles all of them;
# what Hearth's code imports is still found by PyInstaller's import analysis.
from PyInstaller.utils.hooks import PY_DYLIB_PATTERNS, collect_data_files, collect_dynamic_libs, collect_submodules

module_collection_mode = "pyz+py"  # torch reads its own source (inspect, torch.jit)
warn_on_missing_hiddenimports = False

datas = collect_data_files(
    "torch",
    excludes=["**/*.h", "**/*.hpp", "**/*.cuh", "**/*.lib", "**/*.cpp", "**/*.pyi", "**/*.cmake", "include/**",
              "share/**", "test/**", "testing/_internal/**"],
)
# torch/bin holds test programs, and torch_shm_manager, which `import torch` looks for.
datas = [d for d in datas if "/bin/" not in d[1] + "/" or d[0].endswith("torch_shm_manager")]
binaries = collect_dynamic_libs("torch", search_patterns=PY_DYLIB_PATTERNS + ["*.so.*"])

_UNUSED = ("torch._inductor", "torch.distributed", "torch.testing._internal", "torch.onnx", "torch.utils.tensorboard",
           "torch.utils.benchmark", "torch._export", "torch.export", "torch.ao.quantization.fx", "torch.cuda._memory_viz",
           "torch._functorch._aot_autograd", "torch.utils.bottleneck", "torch.contrib", "torch.package",
           "torch._dynamo", "torch.fx.experimental", "torch._higher_order_ops", "torch.backends._coreml",
           "torch.nn.parallel")
# Imported by name at run time inside torch (lazy module attributes, operator registration).
hiddenimports = [
    *collect_submodules("torch.nn", filter=lambda n: not n.startswith(_UNUSED)),
    *collect_submodules("torch.backends", filter=lambda n: not n.startswith(_UNUSED)),
    *collect_submodules("torch._refs"),
    *collect_submodules("torch._prims"),
    *collect_submodules("torch._decomp"),
    "torch._C",
    "torch._VF",
    "torch.functional",
    "torch.overrides",
    "torch.library",
    "torch.compiler",
    "torch.utils.data",
    "torch.utils._pytree",
    "torch.utils.checkpoint",
]
bindepend_symlink_suppression = ["**/torch/lib/*.so*"]
