"""Files Hearth ships (the icon, the memory adapters, the evaluation sets), installed as package data.

Read them through core.resources.resource_path, never by a path relative to the source tree: a built
wheel or a bundle has them here too.
"""
