"""Every reason a submission can carry has words in the reports and exports (the exports' reason filter lists
them all): a code added to promo.reasons without a label would show up raw."""

from promo.reasons import MESSAGES, SHORT_LABELS
from reports.labels import DECIDED_REASON_LABELS


def test_every_reason_code_has_a_label():
    assert [code for code in MESSAGES if code not in SHORT_LABELS and code not in DECIDED_REASON_LABELS] == []
    assert not set(SHORT_LABELS) & set(DECIDED_REASON_LABELS)  # one label per code
