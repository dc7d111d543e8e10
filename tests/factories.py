import io
from datetime import date
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from PIL import Image

from promo.models import Campaign, Participant, Recognition, Submission
from recognition.types import FIELD_NAMES, FieldReading, Reading
from recognition.types import Candidate as ReadCandidate


def jpeg_bytes(width: int = 400, height: int = 600, colour: str = "white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    contact = factory.Sequence(lambda n: f"+7999{n:07d}")
    contact_kind = Participant.ContactKind.PHONE


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    campaign = factory.SubFactory(CampaignFactory)
    participant = factory.SubFactory(ParticipantFactory)
    photo = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="slip.jpg"))
    photo_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    typed_amount = Decimal("1234.50")
    typed_card_last4 = "4821"


class RecognitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recognition

    submission = factory.SubFactory(SubmissionFactory)
    engine = "test"
    kind = "slip"
    kind_confidence = 0.9
    amount = Decimal("1234.50")
    date = date(2026, 11, 21)
    card_last4 = "4821"
    payment_system = ""
    fields = factory.LazyAttribute(
        lambda r: {
            "amount": {"value": str(r.amount), "confidence": 0.9},
            "date": {"value": r.date.isoformat(), "confidence": 0.9},
            "card_last4": {"value": r.card_last4, "confidence": 0.9},
            "payment_system": {"value": r.payment_system or None, "confidence": 0.9},
        }
    )


def reading_of(confidence: float = 0.95, kind: str = "slip", **values) -> Reading:
    """What recognition would hand over for a slip with these values (amount, date, time, card_last4,
    payment_system, rrn, ...), for tests of what happens after the reading."""
    fields = {}
    for name in FIELD_NAMES:
        value = values.get(name)
        if value is None:
            fields[name] = FieldReading.empty()
        else:
            fields[name] = FieldReading(value, confidence, (ReadCandidate(value, confidence, "test"),))
    return Reading(kind=kind, kind_confidence=0.95, fields=fields, lines=[], engine="test")
