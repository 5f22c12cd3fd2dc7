#!/usr/bin/env python3
"""Turns a `tmux capture-pane -e -p` capture of the explorer into a PNG of its pictures, as the
terminal shows them: each '▀' cell is two pixels (foreground on top, background below), other
cells are the background colour. Used for docs/EXPLORER.md's colour comparison (docs/explorer-colours.png).
  python3 tools/research/ansi_to_png.py out.png capture.txt [capture2.txt ...] [--scale 4] [--columns A:B]
Several captures are placed side by side, 8 pixels apart.
With --screen, the whole screen of one capture instead (the screenshots of docs/EXPLORER.md): pictures
and braille charts drawn cell by cell, bars and rules as blocks, text with Pillow (`pip install pillow`) in
DejaVu Sans Mono, 8x16 pixels a cell:
  python3 tools/research/ansi_to_png.py --screen out.png capture.txt"""
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


CW, CH = 8, 16
PARTIAL = {"\u258f": 1, "\u258e": 2, "\u258d": 3, "\u258c": 4, "\u258b": 5, "\u258a": 6, "\u2589": 7, "\u2588": 8}


def screen(path, out):
    rows = parse(open(path, encoding="utf-8").read())
    while rows and not rows[-1]:
        rows.pop()
    cols = max(len(r) for r in rows)
    width, height = cols * CW, len(rows) * CH + 4   # room for the last row's descenders
    px = [(0, 0, 0)] * (width * height)
    def fill(x0, y0, w, h, c):
        for y in range(y0, y0 + h):
            px[y * width + x0:y * width + x0 + w] = [c] * w
    runs = []   # (x, y, colour, text)
    for y, r in enumerate(rows):
        run = None
        for x, (ch, fg, bg) in enumerate(r):
            X, Y = x * CW, y * CH
            fill(X, Y, CW, CH, bg)
            o = ord(ch)
            drawn = True
            if ch == "\u2580":
                fill(X, Y, CW, CH // 2, fg)
            elif ch in PARTIAL:
                fill(X, Y, PARTIAL[ch], CH, fg)
            elif ch == "\u2591":
                fill(X, Y, CW, CH, tuple((a + 3 * b) // 4 for a, b in zip(fg, bg)))
            elif ch == "\u2502":
                fill(X + CW // 2, Y, 1, CH, fg)
            elif ch == "\u2501":
                fill(X, Y + CH // 2 - 1, CW, 3, fg)
            elif 0x2800 < o <= 0x28ff:
                bits = o - 0x2800
                for k, (dx, dy) in enumerate([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]):
                    if bits & (1 << k):
                        fill(X + 1 + dx * 4, Y + 1 + dy * 4, 2, 2, fg)
            else:
                drawn = ch == " "
            if drawn:
                run = None
            elif run and run[2] == fg and run[4] == x:
                run[3] += ch; run[4] = x + 1
            else:
                run = [X, Y, fg, ch, x + 1]
                runs.append(run)
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new("RGB", (width, height))
    img.putdata(px)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 13)
    for X, Y, fg, text, _ in runs:
        for k, ch in enumerate(text):
            draw.text((X + k * CW, Y + 1), ch, fill=fg, font=font)
    img.save(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out"); ap.add_argument("captures", nargs="+")
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--columns", default=None, help="A:B, the cell columns to keep")
    ap.add_argument("--screen", action="store_true", help="the whole screen of the first capture, text included")
    a = ap.parse_args()
    if a.screen:
        return screen(a.captures[0], a.out)
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
