"""The README's Python example of the API is code that works: read from README.md and run against a live server."""

import re
from pathlib import Path

import pytest

from promo.management.commands.setup_demo import DEMO_SLUG
from promo.models import Submission

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_api_example() -> str:
    section = README.read_text(encoding="utf-8").split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the API section has exactly one Python block: the example"
    return blocks[0]


@pytest.mark.django_db(transaction=True)
def test_the_readme_example_uploads_once_and_reads_the_decision(live_server, campaign, slip, tmp_path, monkeypatch, capsys):  # fmt: skip
    photo, truth = slip
    (tmp_path / "slip.jpg").write_bytes(photo)
    monkeypatch.chdir(tmp_path)
    code = readme_api_example()
    # The example as a developer runs it, pointed at this server and typed as this slip says.
    assert code.count('"http://127.0.0.1:8000/api/v1"') == 1 and code.count('"1234.50"') == 1
    code = code.replace("http://127.0.0.1:8000", live_server.url).replace('"1234.50"', f'"{truth.amount}"')
    code = code.replace('"4242"', f'"{truth.card_last4}"')
    # The campaign `make run` makes (setup_demo), so that a newcomer's copy and paste works as it is.
    assert code.count(f"/campaigns/{DEMO_SLUG}/") == 1
    code = code.replace(f"/campaigns/{DEMO_SLUG}/", f"/campaigns/{campaign.slug}/")
    exec(compile(code, "README.md#api", "exec"), {})

    submission = Submission.objects.get()
    assert submission.channel == Submission.Channel.API and submission.idempotency_key
    assert submission.status == Submission.Status.ACCEPTED, submission.reasons
    printed = capsys.readouterr().out.strip()
    assert printed == "accepted ['The slip matches what you typed and was printed during the campaign.']"


# Codes of the envelope the public API never answers: it has no authentication.
NEVER_ANSWERED = {"not_authenticated", "authentication_failed", "permission_denied"}


def test_every_error_code_is_in_the_readme_and_the_schema_with_its_status():
    from config.errors import ERROR_CODES
    from config.settings.base import API_DESCRIPTION

    section = README.read_text(encoding="utf-8").split("\n## API\n", 1)[1].split("\n## ", 1)[0]
    for code, status in ERROR_CODES.items():
        if code in NEVER_ANSWERED:
            continue
        for name, text in (("README", section), ("schema", API_DESCRIPTION)):
            after = text.split(f"`{code}`", 1)
            assert len(after) == 2, f"{code} missing from the {name}"
            assert re.search(rf"\({status}\b", after[1]), f"{code}: no ({status}) after it in the {name}"
