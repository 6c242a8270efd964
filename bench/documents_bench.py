"""Scanned materials: upload throughput and the time to the first page of a 20-page scan, through the
API (Flask test client), on the filesystem store and on an S3-compatible store (moto's server mode
on loopback):

    python bench/documents_bench.py [--files 12] [--pages 20] [--pg-url postgresql://postgres@127.0.0.1:5432/bench]

The files are scans as a document camera makes them: each page a photographed A4 sheet as JPEG
inside a PDF, every file different (no upload is answered by the content-addressed store's dedup).
Each upload goes through the whole path: content check (pypdf walks every object), the store, the
metadata and the case's hash chain. Each first page is read cold (the file was never rendered):
PDFium renders page 1 at the viewer's width; then the same page again (the page cache), and a
thumbnail. Prints MB/s and p50/p95/max milliseconds.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.shared_data_bench import percentiles  # noqa: E402 - after the path that finds it


def scanned_pdf(pages: int, seed: int) -> bytes:
    """A PDF of ``pages`` photographed A4 sheets (JPEG, 150 dpi, grey paper, dark lines, some noise)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    for page in range(pages):
        image = Image.effect_noise((1240, 1754), 12).convert("RGB").point(lambda v: 200 + v // 6)
        draw = ImageDraw.Draw(image)
        for line in range(30):
            y = 120 + line * 52 + rng.randint(-3, 3)
            draw.line((100, y, 1140 - rng.randint(0, 400), y), fill=(30, 30, 30), width=3)
        draw.text((100, 60), f"scan {seed} page {page + 1}", fill=(0, 0, 0))
        photo = io.BytesIO()
        image.save(photo, "JPEG", quality=70)
        photo.seek(0)
        sheet.drawImage(ImageReader(photo), 0, 0, *A4)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def run(client: Any, headers: dict[str, str], number: str, files: list[bytes], pages: int) -> dict[str, Any]:
    uploaded, seconds, ids = 0, [], []
    started = time.perf_counter()
    for n, data in enumerate(files):
        begin = time.perf_counter()
        answer = client.post(f"/api/cases/{number}/materials/premises_layout/files", headers=headers,
                             data={"file": [(io.BytesIO(data), f"scan-{n}.pdf")]}, content_type="multipart/form-data")
        seconds.append((time.perf_counter() - begin) * 1000)
        assert answer.status_code == 201, answer.json
        assert answer.json["files"][0]["pages"] == pages
        ids.append(answer.json["files"][0]["id"])
        uploaded += len(data)
    total = time.perf_counter() - started
    first, again, thumbs = [], [], []
    for file_id in ids:
        for width, into in ((800, first), (800, again), (160, thumbs)):
            begin = time.perf_counter()
            page = client.get(f"/api/cases/{number}/files/{file_id}/pages/1?width={width}", headers=headers)
            into.append((time.perf_counter() - begin) * 1000)
            assert page.status_code == 200 and page.mimetype == "image/png"
    return {"mb_per_s": uploaded / 1048576 / total, "upload_ms": seconds, "first_ms": first, "again_ms": again,
            "thumb_ms": thumbs, "mb": uploaded / 1048576}


def main() -> None:
    from moto.server import ThreadedMotoServer

    from api import create_app
    from engine.bootstrap import Settings, build_engine
    from engine.document_settings import DocumentSettings
    from engine.services.accounts import DEMO_PASSWORD
    from engine.storage.s3 import S3Store
    from tests.conftest import case_body
    from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, free_port

    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--pg-url")
    args = parser.parse_args()
    files = [scanned_pdf(args.pages, seed) for seed in range(args.files * 2)]
    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg_url or f"sqlite:///{tmp}/bench.sqlite3"
        if args.pg_url:
            from tests.conftest import reset_postgres
            reset_postgres(args.pg_url)
        settings = Settings(database_url=url, demo_users=True, documents=DocumentSettings(Path(tmp) / "files",
                                                                                          max_case_mb=2000))
        engine = build_engine(settings)
        client = create_app({"ENGINE": engine}).test_client()
        token = client.post("/api/auth/login", json={"login": "clerk", "password": DEMO_PASSWORD}).json
        headers = {"Authorization": f"Bearer {token['token']}"}
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        s3 = S3Store("bench-scans", "scans/", f"http://{host}:{port}", REGION, ACCESS_KEY, SECRET_KEY)
        s3.ensure_bucket()
        database = "PostgreSQL" if args.pg_url else "SQLite"
        print(f"{args.files} scanned PDFs of {args.pages} pages per store "
              f"({statistics.mean(len(f) for f in files) / 1048576:.1f} MB each on average), {database}")
        try:
            for n, (name, store) in enumerate((("filesystem", engine.ctx.files), ("s3 (moto)", s3))):
                engine.ctx.files = store
                number = client.post("/api/cases", json=case_body(client), headers=headers).json["number"]
                found = run(client, headers, number, files[n * args.files:(n + 1) * args.files], args.pages)
                print(f"\n{name}: upload {found['mb_per_s']:.1f} MB/s ({found['mb']:.0f} MB)")
                print(f"  upload one file ms        {percentiles(found['upload_ms'])}")
                print(f"  first page, cold ms       {percentiles(found['first_ms'])}")
                print(f"  the same page again ms    {percentiles(found['again_ms'])}")
                print(f"  thumbnail of page 1 ms    {percentiles(found['thumb_ms'])}")
        finally:
            server.stop()
            engine.db.dispose()


if __name__ == "__main__":
    main()
