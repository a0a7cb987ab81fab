"""Contacts: vCards imported into one .vcf file Hearth keeps; look up e-mail addresses and phone numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import vobject

from core.assistant.registry import Tool, tool_from_function
from core.assistant.tools.base import ToolContext, ToolResult
from core.assistant.tools.files_io import append
from core.errors import ToolError


@dataclass(frozen=True)
class Contact:
    name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]


def read_vcards(text: str, source: str) -> list[Contact]:
    try:
        cards = list(vobject.readComponents(text))
    except Exception as e:  # vobject raises its own ParseError and plain ValueErrors
        raise ToolError(f"'{source}' is not a vCard file: {e}") from e
    out: list[Contact] = []
    for card in cards:
        if card.name != "VCARD":
            continue
        name = str(card.fn.value) if hasattr(card, "fn") else ""
        if not name and hasattr(card, "n"):
            n = card.n.value
            name = " ".join(p for p in (n.given, n.family) if p)
        emails = tuple(str(getattr(e, "value", "")) for e in card.contents.get("email", []))
        phones = tuple(str(getattr(t, "value", "")) for t in card.contents.get("tel", []))
        if name:
            out.append(Contact(name=name.strip(), emails=emails, phones=phones))
    return out


class ContactBook:
    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> list[Contact]:
        if not self.path.exists():
            return []
        return read_vcards(self.path.read_text(encoding="utf-8"), str(self.path))

    def find(self, name: str) -> Contact:
        """Full name first, then a unique first or last name, then a unique part of a name."""
        wanted = " ".join(name.lower().split())
        if not wanted:
            raise ToolError("No contact name was given.")
        contacts = self.all()
        for test in (
            lambda c: c.name.lower() == wanted,
            lambda c: wanted in c.name.lower().split(),
            lambda c: wanted in c.name.lower(),
        ):
            hits = [c for c in contacts if test(c)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                names = ", ".join(c.name for c in hits[:5])
                raise ToolError(f"Several contacts match '{name}': {names}. Which one?")
        raise ToolError(f"No contact named '{name}'. Import a vCard file first (import_contacts).")

    def email_of(self, name: str) -> str:
        c = self.find(name)
        if not c.emails:
            raise ToolError(f"{c.name} has no e-mail address in your contacts.")
        return c.emails[0]

    def phone_of(self, name: str) -> str:
        c = self.find(name)
        if not c.phones:
            raise ToolError(f"{c.name} has no phone number in your contacts.")
        return c.phones[0]


def contact_tools(ctx: ToolContext) -> list[Tool]:
    book = ContactBook(ctx.contacts_file)

    def import_contacts(path: str) -> ToolResult:
        """Import contacts from a vCard (.vcf) file into the user's contacts.

        Args:
            path: the .vcf file to import
        """
        source = Path(path).expanduser()
        if not source.is_file():
            raise ToolError(f"No file '{source}'.")
        text = source.read_text(encoding="utf-8", errors="replace")
        contacts = read_vcards(text, str(source))
        if not contacts:
            raise ToolError(f"'{source}' holds no contacts.")
        before, after = append(ctx.contacts_file, text if text.endswith("\n") else text + "\n")
        names = ", ".join(c.name for c in contacts[:5]) + ("..." if len(contacts) > 5 else "")
        return ToolResult(
            value=len(contacts),
            text=f"Imported {len(contacts)} contact(s): {names}.",
            undo={
                "kind": "truncate_file",
                "path": str(ctx.contacts_file),
                "size": before,
                "expect_size": after,
            },
        )

    def get_email_address(name: str) -> ToolResult:
        """Look up a person's e-mail address in the user's contacts.

        Args:
            name: the person's name
        """
        email = book.email_of(name)
        return ToolResult(value=email, text=f"{name}: {email}")

    def get_phone_number(name: str) -> ToolResult:
        """Look up a person's phone number in the user's contacts.

        Args:
            name: the person's name
        """
        phone = book.phone_of(name)
        return ToolResult(value=phone, text=f"{name}: {phone}")

    return [
        tool_from_function(import_contacts, side_effects=True, returns="int"),
        tool_from_function(get_email_address, side_effects=False, returns="str"),
        tool_from_function(get_phone_number, side_effects=False, returns="str"),
    ]
