"""Links opened in the browser: maps, directions, web search. Nothing is fetched by Hearth itself."""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote_plus, urlencode

from core.assistant.registry import Tool, tool_from_function
from core.assistant.tools.base import ToolContext, ToolResult
from core.errors import ToolError

OSM_ENGINES = {"driving": "fossgis_osrm_car", "walking": "fossgis_osrm_foot", "cycling": "fossgis_osrm_bike"}


def map_url(location: str) -> str:
    return f"https://www.openstreetmap.org/search?query={quote_plus(location)}"


def directions_url(destination: str, origin: str = "", mode: str = "driving") -> str:
    query = {"engine": OSM_ENGINES[mode], "from": origin, "to": destination}
    return "https://www.openstreetmap.org/directions?" + urlencode(query)


def search_url(query: str) -> str:
    return f"https://duckduckgo.com/?q={quote_plus(query)}"


def link_tools(ctx: ToolContext) -> list[Tool]:
    def _open(url: str, what: str) -> ToolResult:
        ctx.desktop.open(url)
        return ToolResult(value=url, text=f"Opened {what}: {url}", opened=[url])

    def open_map(location: str) -> ToolResult:
        """Show a place on a map in the browser.

        Args:
            location: an address or place name
        """
        if not location.strip():
            raise ToolError("No place was given.")
        return _open(map_url(location.strip()), f"a map of {location.strip()}")

    def get_directions(
        destination: str, origin: str = "", mode: Literal["driving", "walking", "cycling"] = "driving"
    ) -> ToolResult:
        """Show directions to a place on a map in the browser.

        Args:
            destination: where to go
            origin: where from (empty: the map asks)
            mode: how to travel
        """
        if not destination.strip():
            raise ToolError("No destination was given.")
        return _open(
            directions_url(destination.strip(), origin.strip(), mode), f"directions to {destination}"
        )

    def web_search(query: str) -> ToolResult:
        """Search the web for something, in the browser.

        Args:
            query: what to search for
        """
        if not query.strip():
            raise ToolError("Nothing to search for.")
        return _open(search_url(query.strip()), f"a web search for '{query.strip()}'")

    return [
        tool_from_function(open_map, side_effects=False, returns="url"),
        tool_from_function(get_directions, side_effects=False, returns="url"),
        tool_from_function(web_search, side_effects=False, returns="url"),
    ]
