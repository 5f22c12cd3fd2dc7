#!/usr/bin/env python3
"""Turns a `tmux capture-pane -e -p` capture of the explorer into a PNG of its pictures, as the
terminal shows them: each '▀' cell is two pixels (foreground on top, background below), other
cells are the background colour. Used for docs/EXPLORER.md's colour comparison (docs/explorer-colours.png).
  python3 tools/research/ansi_to_png.py out.png capture.txt [capture2.txt ...] [--scale 4] [--columns A:B]
Several captures are placed side by side, 8 pixels apart."""
import argparse, re, struct, zlib


def xterm256(i):
    if i < 16:
        base = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
        return base[i]
    if i < 232:
        levels = [0, 95, 135, 175, 215, 255]
        i -= 16
        return (levels[i // 36], levels[(i // 6) % 6], levels[i % 6])
    v = 8 + 10 * (i - 232)
    return (v, v, v)


def parse(text):
    rows = []
    fg, bg = (200, 200, 200), (0, 0, 0)   # tmux carries the attributes over line ends
    for line in text.split("\n"):
        cells = []
        for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b])", line):
            if m.group(2) is not None:
                cells.append((m.group(2), fg, bg))
                continue
            codes = [int(c) if c else 0 for c in m.group(1).split(";")]
            k = 0
            while k < len(codes):
                c = codes[k]
                if c == 0:
                    fg, bg = (200, 200, 200), (0, 0, 0)
                elif c in (38, 48) and k + 1 < len(codes) and codes[k + 1] == 5:
                    col = xterm256(codes[k + 2]); k += 2
                    if c == 38: fg = col
                    else: bg = col
                elif c in (38, 48) and k + 1 < len(codes) and codes[k + 1] == 2:
                    col = tuple(codes[k + 2:k + 5]); k += 4
                    if c == 38: fg = col
                    else: bg = col
                elif 30 <= c <= 37 or 90 <= c <= 97:
                    fg = xterm256(c - 30 if c < 90 else c - 82)
                elif 40 <= c <= 47 or 100 <= c <= 107:
                    bg = xterm256(c - 40 if c < 100 else c - 92)
                elif c == 39:
                    fg = (200, 200, 200)
                elif c == 49:
                    bg = (0, 0, 0)
                k += 1
        rows.append(cells)
    return rows


def write_png(path, pixels, width, height):
    raw = b"".join(b"\x00" + bytes(v for px in pixels[y * width:(y + 1) * width] for v in px) for y in range(height))
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def picture(path, columns, scale):
    rows = [r for r in parse(open(path, encoding="utf-8").read()) if any(ch == "\u2580" for ch, _, _ in r)]
    lo, hi = (int(x) for x in columns.split(":")) if columns else (0, max(len(r) for r in rows))
    blank = (" ", (0, 0, 0), (0, 0, 0))
    lines = []
    for r in rows:
        cells = r[lo:hi] + [blank] * (hi - lo - len(r[lo:hi]))
        for half in (0, 1):
            line = []
            for ch, fg, bg in cells:
                line += [fg if (ch == "\u2580" and half == 0) else bg] * scale
            lines += [line] * scale
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out"); ap.add_argument("captures", nargs="+")
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--columns", default=None, help="A:B, the cell columns to keep")
    a = ap.parse_args()
    pictures = [picture(c, a.columns, a.scale) for c in a.captures]
    height = max(len(p) for p in pictures)
    gap = [(255, 255, 255)] * 8
    pixels = []
    for y in range(height):
        row = []
        for k, p in enumerate(pictures):
            w = len(p[0])
            row += (p[y] if y < len(p) else [(255, 255, 255)] * w) + (gap if k < len(pictures) - 1 else [])
        width = len(row)
        pixels += row
    write_png(a.out, pixels, width, height)


if __name__ == "__main__":
    main()
