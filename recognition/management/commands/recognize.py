"""`manage.py recognize [--jsonl] PATH...`: what Slipcheck reads on each image, one JSON object per line."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recognition.engines import get_rapid_engine
from recognition.images import UnreadableImage
from recognition.pipeline import recognize
from recognition.serialize import reading_to_eval_dict

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}


def image_paths(paths: list[str]) -> list[tuple[str, Path]]:
    """(name as given, file) pairs: a folder means its images, a labels .jsonl file the images it names."""
    found: list[tuple[str, Path]] = []
    for given in paths:
        path = Path(given)
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    image = json.loads(line)["image"]
                    found.append((image, path.parent / image))
        elif path.is_dir():
            found += [(str(p), p) for p in sorted(path.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
        else:
            found.append((given, path))
    return found


class Command(BaseCommand):
    help = (
        "Recognize slip photos: one JSON object per image (the eval-format keys, confidence per field, ms)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="image files or folders")
        parser.add_argument(
            "--jsonl",
            action="store_true",
            help="also accept labels.jsonl files: recognize the images they name",
        )

    def handle(self, *args, **options):
        engine = get_rapid_engine(settings.SLIPCHECK_OCR_THREADS)
        failures = 0
        indent = None if options["jsonl"] else 2
        for name, path in image_paths(options["paths"]):
            try:
                reading = recognize(path.read_bytes(), engine=engine)
            except (OSError, UnreadableImage) as error:
                failures += 1
                self.stdout.write(
                    json.dumps({"image": name, "error": str(error)}, ensure_ascii=False, indent=indent)
                )
                continue
            self.stdout.write(
                json.dumps(reading_to_eval_dict(reading, name), ensure_ascii=False, indent=indent)
            )
        if failures:
            raise CommandError(f"{failures} image(s) could not be read")
