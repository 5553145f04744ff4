"""The rescue map, drawn on the server as SVG: the counties' outlines (shipped with the project,
data/counties.geojson), and on them the open incidents, the teams, the hotspots and the patrol routes.
Web Mercator pixels at one zoom level, so that tiles of an intranet tile server (SAFETYNET_MAP_TILES)
fit beneath; with no tile server the outlines alone are the base map. No script, nothing fetched
from outside the intranet."""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

OUTLINES = Path(__file__).resolve().parent / "data" / "counties.geojson"
TILE = 256
WIDTH = 960  # the map's width in pixels, about; the zoom is the largest that keeps it so


@functools.cache
def outlines() -> dict:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    size = TILE * 2**zoom
    x = (lon + 180.0) / 360.0 * size
    sin = math.sin(math.radians(max(-85.0, min(85.0, lat))))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * size
    return x, y


@dataclass
class Frame:
    """The map's window: the zoom, and the pixel box (of the whole world at that zoom) it shows."""

    zoom: int
    left: float
    top: float
    right: float
    bottom: float

    def point(self, lon, lat) -> tuple[float, float]:
        x, y = pixel(float(lon), float(lat), self.zoom)
        return round(x - self.left, 1), round(y - self.top, 1)

    @property
    def width(self) -> int:
        return math.ceil(self.right - self.left)

    @property
    def height(self) -> int:
        return math.ceil(self.bottom - self.top)


@functools.cache
def frame(codes: tuple[str, ...] = ()) -> Frame:
    """The window around the outlines of `codes` (all counties if empty), with a margin."""
    lons, lats = [], []
    for feature in outlines()["features"]:
        if codes and feature["properties"]["code"] not in codes:
            continue
        for ring in _rings(feature["geometry"]):
            lons += [p[0] for p in ring]
            lats += [p[1] for p in ring]
    if not lons:
        return frame(())
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    zoom = 1
    while zoom < 16 and pixel(east, 0, zoom + 1)[0] - pixel(west, 0, zoom + 1)[0] <= WIDTH:
        zoom += 1
    left, top = pixel(west, north, zoom)
    right, bottom = pixel(east, south, zoom)
    margin = 12
    return Frame(zoom, left - margin, top - margin, right + margin, bottom + margin)


def county_shapes(window: Frame, codes: tuple[str, ...] = ()) -> list[dict]:
    """Each county's outline as an SVG path, with its name placed at the middle of its box."""
    shapes = []
    for feature in outlines()["features"]:
        props = feature["properties"]
        if codes and props["code"] not in codes:
            continue
        parts, xs, ys = [], [], []
        for ring in _rings(feature["geometry"]):
            points = [window.point(lon, lat) for lon, lat in ring]
            xs += [x for x, _y in points]
            ys += [y for _x, y in points]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
        shapes.append(
            {
                "code": props["code"],
                "name": props["name"],
                "path": " ".join(parts),
                "approximate": bool(props.get("approximate")),
                "label_x": round((min(xs) + max(xs)) / 2, 1),
                "label_y": round((min(ys) + max(ys)) / 2, 1),
            }
        )
    return shapes


def tiles(window: Frame) -> list[dict]:
    """The tiles of the configured tile server that cover the window (none without one)."""
    template = settings.SAFETYNET_MAP_TILES
    if not template:
        return []
    first_x, first_y = int(window.left // TILE), int(window.top // TILE)
    last_x, last_y = int(window.right // TILE), int(window.bottom // TILE)
    return [
        {
            "url": template.format(z=window.zoom, x=x, y=y),
            "x": round(x * TILE - window.left, 1),
            "y": round(y * TILE - window.top, 1),
        }
        for x in range(first_x, last_x + 1)
        for y in range(first_y, last_y + 1)
    ]
