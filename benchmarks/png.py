"""A tiny pure-Python PNG line chart (no matplotlib): an RGB canvas, lines, boxes and
a 3x5 bitmap font, written with zlib."""

from __future__ import annotations

import struct
import zlib

_FONT = {  # 3 columns x 5 rows, row bits left to right
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001010010010", "8": "111101111101111",
    "9": "111101111001111", "A": "010101111101101", "B": "110101110101110",
    "C": "011100100100011", "D": "110101101101110", "E": "111100110100111",
    "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101010", "K": "101101110101101",
    "L": "100100100100111", "M": "101111111101101", "N": "110101101101101",
    "O": "010101101101010", "P": "110101110100100", "Q": "010101101110011",
    "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101",
    "X": "101101010101101", "Y": "101101010010010", "Z": "111001010100111",
    " ": "000000000000000", ".": "000000000000010", ",": "000000000010100",
    "/": "001001010100100", "-": "000000111000000", "(": "010100100100010",
    ")": "010001001001010", "%": "101001010100101", ":": "000010000010000",
    "<": "001010100010001", ">": "100010001010100", "=": "000111000111000",
    "+": "000010111010000", "_": "000000000000111", "X2": "",
}  # fmt: skip


class Canvas:
    def __init__(self, width: int, height: int, background: tuple[int, int, int] = (255, 255, 255)):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def dot(self, x: int, y: int, color: tuple[int, int, int], size: int = 1) -> None:
        for dy in range(size):
            for dx in range(size):
                px, py = x + dx - size // 2, y + dy - size // 2
                if 0 <= px < self.width and 0 <= py < self.height:
                    i = (py * self.width + px) * 3
                    self.pixels[i : i + 3] = bytes(color)

    def line(self, x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int],
             width: int = 1) -> None:  # fmt: skip
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.dot(x0, y0, color, width)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def box(self, x: int, y: int, w: int, h: int, color: tuple[int, int, int]) -> None:
        for py in range(max(y, 0), min(y + h, self.height)):
            start = (py * self.width + max(x, 0)) * 3
            end = (py * self.width + min(x + w, self.width)) * 3
            self.pixels[start:end] = bytes(color) * ((end - start) // 3)

    def text(self, x: int, y: int, s: str, color: tuple[int, int, int] = (0, 0, 0),
             scale: int = 2) -> None:  # fmt: skip
        for ch in s.upper():
            glyph = _FONT.get(ch, _FONT[" "])
            for row in range(5):
                for col in range(3):
                    if glyph[row * 3 + col] == "1":
                        self.box(x + col * scale, y + row * scale, scale, scale, color)
            x += 4 * scale

    def save(self, path: str) -> None:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * self.width * 3 : (y + 1) * self.width * 3])
            for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (
                struct.pack("!I", len(data)) + kind + data
                + struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF)
            )  # fmt: skip

        header = struct.pack("!IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                    + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))  # fmt: skip


COLORS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189),
          (140, 86, 75), (23, 190, 207)]  # fmt: skip


def line_chart(path: str, title: str, x_labels: list[str],
               series: list[tuple[str, list[float | None]]], y_label: str) -> None:  # fmt: skip
    """Series of y values over evenly spaced categories (x_labels)."""
    width, height = 900, 560
    left, right, top, bottom = 110, 250, 50, 70
    c = Canvas(width, height)
    values = [v for _, ys in series for v in ys if v]
    top_value = max(values) if values else 1.0
    step = 10 ** len(str(int(top_value))) / 10
    while top_value / step > 8:
        step *= 2
    y_max = (int(top_value / step) + 1) * step
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(i: int) -> int:
        return left + (
            plot_w * i // max(len(x_labels) - 1, 1) if len(x_labels) > 1 else plot_w // 2
        )

    def py(v: float) -> int:
        return top + plot_h - int(plot_h * v / y_max)

    c.text(left, 15, title, scale=3)
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = py(tick)
        c.line(left, y, left + plot_w, y, (225, 225, 225))
        label = f"{int(tick / 1000)}K" if tick >= 1000 else str(int(tick))
        c.text(left - 10 - 8 * len(label), y - 5, label)
        tick += step
    c.line(left, top, left, top + plot_h, (0, 0, 0), 2)
    c.line(left, top + plot_h, left + plot_w, top + plot_h, (0, 0, 0), 2)
    for i, label in enumerate(x_labels):
        c.line(px(i), top + plot_h, px(i), top + plot_h + 6, (0, 0, 0), 2)
        c.text(px(i) - 4 * len(label), top + plot_h + 14, label)
    c.text(left + plot_w // 2 - 80, height - 28, "CONSUMERS (N)")
    c.text(10, top - 30 + 0, y_label)
    for k, (name, ys) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        points = [(px(i), py(v)) for i, v in enumerate(ys) if v]
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            c.line(x0, y0, x1, y1, color, 3)
        for x, y in points:
            c.box(x - 4, y - 4, 9, 9, color)
        ly = top + 10 + 26 * k
        c.box(left + plot_w + 20, ly, 14, 14, color)
        c.text(left + plot_w + 42, ly + 2, name)
    c.save(path)
