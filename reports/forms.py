"""The report's filters: a campaign the user may see, and a period of days in the campaign's time zone.

report_filters turns what was asked into what is shown: the form always shows the period the page shows (its
dates filled in), and whatever was asked and not shown is said, with what was shown instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from promo.models import Campaign
from reports.selectors import MAX_PERIOD_DAYS, Period


class ReportFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=None, label=_("Campaign"), empty_label=None)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # The campaign and period on the page when the form was sent: a campaign chosen anew with the dates left as
    # they were asks for the new campaign, not for the old one's dates (see report_filters).
    shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        campaign = data.get("campaign")
        if campaign is None:
            return data
        default = Period.default(campaign)
        date_from = data.get("date_from") or default.date_from
        date_to = data.get("date_to") or default.date_to
        if date_to < date_from:
            raise forms.ValidationError(_("The period ends before it starts."))
        if date_to - date_from > timedelta(days=MAX_PERIOD_DAYS):
            raise forms.ValidationError(
                _("A report covers at most %(days)s days."), params={"days": MAX_PERIOD_DAYS}
            )
        data["period"] = Period(campaign=campaign, date_from=date_from, date_to=date_to)
        return data


def shown_token(period: Period) -> str:
    return f"{period.campaign.pk}:{period.date_from.isoformat()}:{period.date_to.isoformat()}"


@dataclass
class Filters:
    """What the page shows: the form (filled with the period shown), the period (None: nothing to show), the
    errors in what was asked (each followed by what was shown instead) and notes on what is shown."""

    form: ReportFilterForm
    period: Period | None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """The period shown is the one asked for (a chart's CSV file is only of that)."""
        return self.period is not None and not self.errors


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _shown_form(period: Period, campaigns: QuerySet[Campaign]) -> ReportFilterForm:
    return ReportFilterForm(
        initial={
            "campaign": period.campaign.pk,
            "date_from": period.date_from,
            "date_to": period.date_to,
            "shown": shown_token(period),
        },
        campaigns=campaigns,
    )


def _outside(period: Period) -> str:
    """A note when the period lies wholly outside the campaign's dates (late decisions may still be there)."""
    campaign = period.campaign
    if period.date_to >= campaign.starts_on and period.date_from <= campaign.ends_on:
        return ""
    return gettext(
        "“%(name)s” runs from %(starts)s to %(ends)s: the period shown lies outside it, so it holds few "
        "submissions or none."
    ) % {"name": campaign.name, "starts": _day(campaign.starts_on), "ends": _day(campaign.ends_on)}


def report_filters(query: QueryDict, campaigns: QuerySet[Campaign]) -> Filters:
    """The period to show for the filters asked (the newest campaign when none is).

    - An unknown campaign (or one the user may not see) is said; nothing is shown.
    - An invalid period (backwards, too long, not a date) is said, and the campaign's default period shown.
    - A campaign chosen anew in the form, its dates left as they were (the other campaign's), shows the new
      campaign's default period, and says so.
    - A period wholly outside the campaign's dates is shown as asked, with a note."""
    data = query.copy()
    if not data.get("campaign"):
        newest = campaigns.first()
        if newest is None:
            return Filters(form=ReportFilterForm(campaigns=campaigns), period=None)
        data["campaign"] = str(newest.pk)
    form = ReportFilterForm(data, campaigns=campaigns)
    valid = form.is_valid()
    campaign = form.cleaned_data.get("campaign")
    if campaign is None:
        newest = campaigns.first()
        if newest is None:
            return Filters(form=ReportFilterForm(campaigns=campaigns), period=None)
        return Filters(
            form=_shown_form(Period.default(newest), campaigns),
            period=None,
            errors=[
                gettext(
                    "There is no campaign “%(campaign)s”, or it is not one you may see: choose one from the list."
                )
                % {"campaign": data["campaign"][:40]}
            ],
        )
    default = Period.default(campaign)
    if not valid:
        errors = [str(message) for messages in form.errors.values() for message in messages]
        errors.append(
            gettext("Shown instead: the campaign's period, from %(start)s to %(end)s.")
            % {"start": _day(default.date_from), "end": _day(default.date_to)}
        )
        return Filters(form=_shown_form(default, campaigns), period=default, errors=errors)
    period: Period = form.cleaned_data["period"]
    shown = form.cleaned_data.get("shown") or ""
    previous, _sep, dates = shown.partition(":")
    asked_dates = f"{data.get('date_from', '')}:{data.get('date_to', '')}"
    notes = []
    if previous and previous != str(campaign.pk) and dates == asked_dates and period != default:
        period = default
        notes.append(
            gettext(
                "“%(name)s” is shown for its own period, from %(start)s to %(end)s (the dates were the previous campaign's)."
            )
            % {"name": campaign.name, "start": _day(default.date_from), "end": _day(default.date_to)}
        )
    if outside := _outside(period):
        notes.append(outside)
    return Filters(form=_shown_form(period, campaigns), period=period, notes=notes)
