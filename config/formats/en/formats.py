"""English dates with the month's name: Django's `m/d/Y` is read the other way round by most readers outside the
US (`09/02/2026` is 2 September in Moscow and London, 9 February in New York). `2 Sep 2026` has one reading.

Only what differs from Django's `en` formats is here; input formats and the long ones (`N j, Y`) stay Django's.
No-break spaces keep a date on one line (a narrow phone put `31 Oct` and `2026.` on two).
"""

SHORT_DATE_FORMAT = "j\u00a0M\u00a0Y"
SHORT_DATETIME_FORMAT = "j\u00a0M\u00a0Y, P"
