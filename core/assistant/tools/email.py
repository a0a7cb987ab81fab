"""E-mail drafts: an .eml file in the drafts folder, and a mailto: link opened in the mail client."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import quote

from core.assistant.registry import Tool, tool_from_function
from core.assistant.tools.base import ToolContext, ToolResult, slug, unique_path
from core.assistant.tools.contacts import ContactBook
from core.assistant.tools.files_io import write_atomic
from core.errors import ToolError


def email_tools(ctx: ToolContext) -> list[Tool]:
    book = ContactBook(ctx.contacts_file)

    def compose_email(recipients: list[str], subject: str, body: str = "") -> ToolResult:
        """Write an e-mail draft and open it in the user's mail app (it is not sent).

        Args:
            recipients: e-mail addresses, or names looked up in the contacts
            subject: the subject line
            body: the text of the e-mail
        """
        addresses = [r.strip() if "@" in r else book.email_of(r) for r in recipients if r.strip()]
        if not addresses:
            raise ToolError("An e-mail needs at least one recipient.")
        msg = EmailMessage()
        msg["To"] = ", ".join(addresses)
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=True)
        msg["X-Unsent"] = "1"  # mail apps open such a file as a draft to edit and send
        msg.set_content(body or "")
        path = unique_path(ctx.drafts_dir, slug(subject, "draft"), ".eml")
        write_atomic(path, bytes(msg))
        link = f"mailto:{quote(','.join(addresses), safe='@,')}?subject={quote(subject)}&body={quote(body)}"
        ctx.desktop.open(link)
        return ToolResult(
            value=str(path),
            text=f"Draft to {', '.join(addresses)} ('{subject}') saved as {path} and opened in the mail app.",
            undo={"kind": "delete_file", "path": str(path)},
            opened=[link],
        )

    return [tool_from_function(compose_email, side_effects=True, returns="path")]
