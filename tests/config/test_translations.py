"""The Russian catalogue is whole: every entry translated and none fuzzy, every source string in it, the compiled
catalogue current, and Django's admin phrases that take a model's name reading grammatically in Russian."""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import django
import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from promo.models import Submission
from tests.factories import CampaignFactory, ParticipantFactory, SubmissionFactory

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CATALOGUE = BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
ADMIN_PHRASES = BASE_DIR / "config" / "admin_phrases.py"
DJANGO_DIR = Path(django.__file__).resolve().parent
# The Makefile's `messages` target, as run by hand.
MAKEMESSAGES = ["manage.py", "makemessages", "-l", "ru", "--ignore=.venv", "--ignore=var", "--no-location"]
# What makemessages would read in a checkout besides the project's own files: left out of the copy.
NOT_SOURCE = {".git", ".venv", ".venv-bench", "var", "media", "staticfiles", ".pytest_cache", ".ruff_cache", ".hypothesis"}  # fmt: skip


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (header and obsolete entries included), msgstr as {form: text}."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def append(value: str) -> None:
        name, form = target
        if name == "msgstr":
            entry.msgstr[form] = entry.msgstr.get(form, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            append(ast.literal_eval(line))
            continue
        keyword, _, value = line.partition(" ")
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            target = ("msgstr", int(match.group(1)))
        elif keyword in ("msgid", "msgctxt", "msgid_plural", "msgstr"):
            target = (keyword, 0)
            if keyword != "msgstr":
                setattr(entry, keyword, "")
        else:
            raise ValueError(f"line {number}: cannot read {raw!r}")
        append(ast.literal_eval(value))
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.obsolete and not (e.msgid == "" and e.msgctxt is None)]


def nplurals(entries: list[Entry]) -> int:
    header = next(e for e in entries if e.msgid == "" and e.msgctxt is None).msgstr[0]
    return int(re.search(r"nplurals\s*=\s*(\d+)", header).group(1))


def untranslated_or_fuzzy(entries: list[Entry]) -> list[str]:
    forms = nplurals(entries)
    problems = []
    for entry in messages(entries):
        expected = range(forms) if entry.msgid_plural is not None else range(1)
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry}")
        elif sorted(entry.msgstr) != list(expected) or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry}")
    return problems


PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%"}


def test_every_entry_is_translated_and_none_is_fuzzy():
    problems = untranslated_or_fuzzy(parse_po(CATALOGUE.read_text(encoding="utf-8")))
    assert not problems, "Translate these in locale/ru/LC_MESSAGES/django.po:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders():
    wrong = []
    for entry in messages(parse_po(CATALOGUE.read_text(encoding="utf-8"))):
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        wrong += [
            f"{entry}: {text!r}" for text in entry.msgstr.values() if text and placeholders(text) != expected
        ]
    assert not wrong, "Placeholders differ from the msgid's:\n" + "\n".join(wrong)


def test_the_compiled_catalogue_is_current():
    """What the site reads is the .mo: it says what the .po says (run compilemessages after editing the .po)."""
    with COMPILED.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    stale = []
    for entry in messages(parse_po(CATALOGUE.read_text(encoding="utf-8"))):
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        for form, text in entry.msgstr.items():
            found = catalog.get((key, form)) if entry.msgid_plural is not None else catalog.get(key)
            if found != text:
                stale.append(str(entry))
    assert not stale, "Run `manage.py compilemessages -l ru`; the .mo differs on:\n" + "\n".join(stale)


def test_the_catalogue_holds_every_source_string(tmp_path):
    """makemessages over a copy of the project adds nothing untranslated: no source string lacks a translation."""
    missing = [
        tool for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib") if shutil.which(tool) is None
    ]
    if missing:
        message = f"GNU gettext is not installed ({', '.join(missing)} missing): apt-get install gettext"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    for path in BASE_DIR.iterdir():
        if path.name in NOT_SOURCE:
            continue
        if path.is_dir():
            shutil.copytree(path, tmp_path / path.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, tmp_path / path.name)
    result = subprocess.run(
        [sys.executable, *MAKEMESSAGES],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    regenerated = tmp_path / CATALOGUE.relative_to(BASE_DIR)
    problems = untranslated_or_fuzzy(parse_po(regenerated.read_text(encoding="utf-8")))
    assert not problems, (
        "Source strings without a translation: run makemessages (see the Makefile's `messages`) and translate "
        "them in locale/ru/LC_MESSAGES/django.po:\n" + "\n".join(problems)
    )


def admin_phrases() -> list[tuple[str, str | None]]:
    """(msgid, msgid_plural) of each phrase config.admin_phrases lists (read, not imported: nothing imports it)."""
    phrases = []
    for node in ast.walk(ast.parse(ADMIN_PHRASES.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("gettext_noop", "ngettext_lazy"):
            texts = [arg.value for arg in node.args]
            phrases.append((texts[0], texts[1] if len(texts) > 1 else None))
    return phrases


def test_the_admin_phrase_overrides_are_djangos_msgids_and_take_effect():
    django_entries = {
        (e.msgid, e.msgid_plural): e
        for po in ("contrib/admin/locale/ru/LC_MESSAGES/django.po", "conf/locale/ru/LC_MESSAGES/django.po")
        for e in messages(parse_po((DJANGO_DIR / po).read_text(encoding="utf-8")))
    }
    ours = {(e.msgid, e.msgid_plural): e for e in messages(parse_po(CATALOGUE.read_text(encoding="utf-8")))}
    phrases = admin_phrases()
    assert len(phrases) >= 20
    not_djangos = [msgid for msgid, plural in phrases if (msgid, plural) not in django_entries]
    assert not not_djangos, f"No longer Django's msgids (Django changed them?): {not_djangos}"
    with translation.override("ru"):
        for msgid, plural in phrases:
            if plural is None:
                assert translation.gettext(msgid) == ours[(msgid, None)].msgstr[0]
            else:
                assert translation.ngettext(msgid, plural, 5) == ours[(msgid, plural)].msgstr[2]


# Django's Russian puts the nominative name where another case is needed; none of these may show.
UNGRAMMATICAL = re.compile(
    r"(Выберите|Добавить|Изменить|Просмотреть|Удалить выбранные|Добавить еще один|Добавить ещё один) "
    r"(акция|акции|участник|участники|заявка|заявки|очередь модерации)\b"
)


@pytest.fixture
def superuser_ru(client, db):
    client.force_login(User.objects.create_superuser("root", password="pw"))

    def get(url: str) -> str:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 200, url
        page = response.content.decode()
        assert 'lang="ru"' in page, url
        assert not UNGRAMMATICAL.search(page), (url, UNGRAMMATICAL.search(page).group(0))
        return page

    return get


def test_admin_pages_read_grammatically_in_russian(superuser_ru):
    campaign = CampaignFactory(name="Осень")
    ParticipantFactory()
    SubmissionFactory(
        campaign=campaign, status=Submission.Status.MODERATION, waiting_since=timezone.now(), reasons=[]
    )

    campaigns = superuser_ru("/admin/promo/campaign/")
    assert "<h1>Выберите для изменения: акция</h1>" in campaigns
    assert "Добавить: акция" in campaigns  # the button
    assert "Удалить выбранные: акции" in campaigns  # the action

    add = superuser_ru("/admin/promo/campaign/add/")
    assert "<h1>Добавление: акция</h1>" in add
    assert "Добавить: акция" in add  # the breadcrumb

    change = superuser_ru(f"/admin/promo/campaign/{campaign.pk}/change/")
    assert "<h1>Изменение: акция</h1>" in change

    participants = superuser_ru("/admin/promo/participant/")
    assert "<h1>Выберите для изменения: участник</h1>" in participants
    assert "Удалить выбранные: участники" in participants

    queue = superuser_ru("/admin/moderation/queueitem/")
    assert "<h1>Очередь модерации</h1>" in queue
    assert "В очереди 1 заявка" in queue and "Взять следующую" in queue


def test_admin_messages_after_saving_read_grammatically_in_russian():
    with translation.override("ru"):
        name, obj = "акция", "Осень"
        added = translation.gettext("The {name} “{obj}” was added successfully.").format(name=name, obj=obj)
        changed = translation.gettext("The {name} “{obj}” was changed successfully.").format(
            name=name, obj=obj
        )
        deleted = translation.gettext("The %(name)s “%(obj)s” was deleted successfully.") % {
            "name": name,
            "obj": obj,
        }
        bulk = [
            translation.ngettext(
                "%(count)s %(name)s was changed successfully.",
                "%(count)s %(name)s were changed successfully.",
                n,
            )
            % {"count": n, "name": name}
            for n in (1, 3, 5)
        ]
    assert added == "Добавлено: акция «Осень»."
    assert changed == "Изменено: акция «Осень»."
    assert deleted == "Удалено: акция «Осень»."
    assert bulk == ["Изменена 1 запись (акция).", "Изменены 3 записи (акция).", "Изменено 5 записей (акция)."]
