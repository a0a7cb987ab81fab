"""The Settings dialog, built from core.settings.SETTINGS: each declared setting gets the editor its type asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from core.settings import SETTINGS, Setting, Settings

# Chosen elsewhere in the window (the model picker), so not repeated here.
_NOT_HERE = {"model"}


class SettingsDialog(QDialog):
    """`offered`: values to list for some free-text settings (the microphones connected now); any other
    value can still be typed."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        open_engines: Callable[[], object] | None = None,
        *,
        offered: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hearth settings")
        self._settings = settings
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        for key, setting in SETTINGS.items():
            if key in _NOT_HERE:
                continue
            listed = (offered or {}).get(key)
            editor = (
                _offered_editor(listed, settings.get(key))
                if listed
                else _editor_for(setting, settings.get(key))
            )
            editor.setToolTip(setting.description)
            self.editors[key] = editor
            form.addRow(key.replace("_", " ").capitalize() + ":", editor)
        note = QLabel("Context, threads and GPU layers apply when the model is next loaded.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if open_engines is not None:
            self.engines_button = QPushButton("Remote engines…")
            self.engines_button.setToolTip(
                "Bigger models on other computers: add, test, remove (routing uses them)"
            )
            self.engines_button.clicked.connect(lambda: open_engines())
            layout.addWidget(self.engines_button)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        return {key: _value_of(editor, SETTINGS[key]) for key, editor in self.editors.items()}

    def accept(self) -> None:
        for key, value in self.values().items():
            self._settings.set(key, value)
        super().accept()


# What an "auto" setting (core.settings: None, the model's measured default) shows while it is not set.
AUTO_TEXT = "Model default"
_FLOAT_STEP = 0.05


def _offered_editor(listed: list[str], value: str) -> QComboBox:
    """An editable list: the values offered, '' shown as the system's default; another can be typed."""
    box = QComboBox()
    box.setEditable(True)
    for item in listed:
        box.addItem(item or "(system default)", item)
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)
    else:
        box.setEditText(value)
    return box


def _editor_for(setting: Setting, value: Any) -> QWidget:
    """The editor for one setting. An auto setting's spin box has one more value below its minimum,
    shown as "Model default" (Qt's special value); its text box is empty for the default."""
    if setting.choices:
        combo = QComboBox()
        combo.addItems(list(setting.choices))
        combo.setCurrentText(str(value))
        return combo
    if setting.type is bool:
        check = QCheckBox()
        check.setChecked(bool(value))
        return check
    if setting.type is int:
        box = QSpinBox()
        low = int(0 if setting.minimum is None else setting.minimum)
        high = int(1_000_000 if setting.maximum is None else setting.maximum)
        box.setRange(low - 1 if setting.auto else low, high)
        if setting.auto:
            box.setSpecialValueText(AUTO_TEXT)
        box.setValue(box.minimum() if value is None else int(value))
        return box
    if setting.type is float:
        fbox = QDoubleSpinBox()
        fbox.setDecimals(2)
        fbox.setSingleStep(_FLOAT_STEP)
        low_f = float(0.0 if setting.minimum is None else setting.minimum)
        high_f = float(100.0 if setting.maximum is None else setting.maximum)  # a maximum of 0.0 is one
        fbox.setRange(low_f - _FLOAT_STEP if setting.auto else low_f, high_f)
        if setting.auto:
            fbox.setSpecialValueText(AUTO_TEXT)
        fbox.setValue(fbox.minimum() if value is None else float(value))
        return fbox
    text = QPlainTextEdit("" if value is None else str(value))
    if setting.auto:
        text.setPlaceholderText(f"{AUTO_TEXT}: leave empty for the model's own.")
    text.setFixedHeight(60)
    return text


def _value_of(editor: QWidget, setting: Setting) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox) and editor.isEditable():
        index = editor.findText(editor.currentText())
        return editor.itemData(index) if index >= 0 else editor.currentText().strip()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        at_auto = setting.auto and editor.value() == editor.minimum()
        return None if at_auto else editor.value()
    assert isinstance(editor, QPlainTextEdit)
    text = editor.toPlainText()
    return None if setting.auto and not text.strip() else text
