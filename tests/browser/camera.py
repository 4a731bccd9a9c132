"""Chromium's fake camera fed with a QR code: a Y4M file (YUV 4:2:0, one frame, which Chromium
plays in a loop) of the code drawn black on white, as a phone at the door would film a ticket."""

from pathlib import Path

import segno

WIDTH, HEIGHT = 640, 480


def qr_video(payload: str, path: Path) -> Path:
    rows = segno.make(payload, error="m").matrix
    border, size = 4, len(rows)
    scale = min(WIDTH, HEIGHT) * 6 // 10 // (size + 2 * border)  # a ticket a hand's length away
    left, top = (WIDTH - (size + 2 * border) * scale) // 2, (HEIGHT - (size + 2 * border) * scale) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                for y in range(top + (r + border) * scale, top + (r + border + 1) * scale):
                    start = y * WIDTH + left + (c + border) * scale
                    luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


def camera_arguments(video: Path) -> list[str]:
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
