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
    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        open_engines: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hearth settings")
        self._settings = settings
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        for key, setting in SETTINGS.items():
            if key in _NOT_HERE:
                continue
            editor = _editor_for(setting, settings.get(key))
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
        return {key: _value_of(editor) for key, editor in self.editors.items()}

    def accept(self) -> None:
        for key, value in self.values().items():
            self._settings.set(key, value)
        super().accept()


def _editor_for(setting: Setting, value: Any) -> QWidget:
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
        box.setRange(int(setting.minimum or 0), int(setting.maximum or 1_000_000))
        box.setValue(int(value))
        return box
    if setting.type is float:
        fbox = QDoubleSpinBox()
        fbox.setDecimals(2)
        fbox.setSingleStep(0.05)
        low = 0.0 if setting.minimum is None else setting.minimum
        fbox.setRange(float(low), float(100.0 if setting.maximum is None else setting.maximum))
        fbox.setValue(float(value))
        return fbox
    text = QPlainTextEdit(str(value))
    text.setFixedHeight(60)
    return text


def _value_of(editor: QWidget) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        return editor.value()
    assert isinstance(editor, QPlainTextEdit)
    return editor.toPlainText()
