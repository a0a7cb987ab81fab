"""The list of conversations: search, new, rename in place, delete after confirmation."""

from __future__ import annotations

from app.qt import (
    QAction,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPoint,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from core.store import Conversation

_ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QWidget):
    """Signals:
    sig_selected(int): the user opened a conversation (its id).
    sig_new(): the user asked for a new conversation.
    sig_renamed(int, str): conversation id, new title (already non-empty).
    sig_deleted(int): conversation id; the user already confirmed.
    sig_search(str): the search text, debounced.
    """

    sig_selected = Signal(int)
    sig_new = Signal()
    sig_renamed = Signal(int, str)
    sig_deleted = Signal(int)
    sig_search = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search conversations")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("New chat")
        self.list = QListWidget()
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setEditTriggers(
            QListWidget.EditTrigger.EditKeyPressed | QListWidget.EditTrigger.DoubleClicked
        )

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)

        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(lambda: self.sig_search.emit(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.new_button.clicked.connect(self.sig_new)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemChanged.connect(self._on_item_edited)
        self.list.customContextMenuRequested.connect(self._show_menu)
        self._filling = False

    def set_conversations(self, conversations: list[Conversation], current_id: int | None) -> None:
        self._filling = True
        self.list.clear()
        for conv in conversations:
            item = QListWidgetItem(conv.title)
            item.setData(_ID_ROLE, conv.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(f"Started {conv.created_at[:16].replace('T', ' ')} UTC")
            self.list.addItem(item)
            if conv.id == current_id:
                self.list.setCurrentItem(item)
        self._filling = False

    def item_for(self, conversation_id: int) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_ID_ROLE) == conversation_id:
                return item
        return None

    def titles(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def confirm_delete(self, conversation_id: int) -> None:
        """Ask, then emit sig_deleted if the user agrees."""
        item = self.item_for(conversation_id)
        if item is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete conversation",
            f"Delete “{item.text()}” and all its messages? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() == QMessageBox.StandardButton.Yes:
            self.sig_deleted.emit(conversation_id)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None and not self._filling:
            self.sig_selected.emit(int(current.data(_ID_ROLE)))

    def _on_item_edited(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        title = item.text().strip()
        if title:
            self.sig_renamed.emit(int(item.data(_ID_ROLE)), title)

    def _show_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        rename = QAction("Rename", menu)
        rename.triggered.connect(lambda: self.list.editItem(item))
        delete = QAction("Delete…", menu)
        delete.triggered.connect(lambda: self.confirm_delete(int(item.data(_ID_ROLE))))
        menu.addActions([rename, delete])
        menu.exec(self.list.viewport().mapToGlobal(pos))
