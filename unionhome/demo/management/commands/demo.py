"""``manage.py demo``: load the reference union of domain.md (or a federation-sized data set)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.demo import loader, shape
from unionhome.demo.satisfaction_scale import satisfaction_scale_build
from unionhome.org.models import OrgUnit


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the demo union: 900 members in 9 branch unions and about 30 union groups, cadres and demo logins. "
        "With --members above 900, build a federation of unions shaped like it, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=loader.DEFAULT_SEED, help=_("random seed (same seed, same data)")
        )
        parser.add_argument(
            "--members", type=int, default=shape.REFERENCE_SIZE, help=_("how many members to create in all")
        )
        parser.add_argument(
            "--if-empty", action="store_true", help=_("do nothing when the database already holds org units")
        )
        parser.add_argument(
            "--batch-size", type=int, default=loader.DEFAULT_BATCH, help=_("rows per bulk insert and transaction")
        )
        parser.add_argument(
            "--ratings", type=int, default=0, help=_("also add this many satisfaction ratings (benchmark scale)")
        )
        parser.add_argument(
            "--responses", type=int, default=0, help=_("also add satisfaction surveys with this many responses")
        )
        parser.add_argument(
            "--answers-per-response", type=int, default=10, help=_("questions answered in each survey response")
        )
        parser.add_argument(
            "--satisfaction-only",
            action="store_true",
            help=_("add only the ratings and surveys to the demo data already in the database"),
        )

    def handle(self, *args, seed, members, if_empty, batch_size, verbosity, **options):
        if options["ratings"] < 0 or options["responses"] < 0 or options["answers_per_response"] < 3:
            raise CommandError(_("--ratings and --responses must be at least 0, --answers-per-response at least 3."))
        if options["satisfaction_only"]:
            if not OrgUnit.objects.exists():
                raise CommandError(_("--satisfaction-only adds to demo data: load the demo data first."))
            self._satisfaction(seed, options, verbosity)
            return
        if OrgUnit.objects.exists():
            if if_empty:
                self.stdout.write(_("The database already holds org units: demo data not loaded."))
                return
            raise CommandError(_("The database already holds org units. Load demo data into an empty database."))
        if members < 1:
            raise CommandError(_("--members must be at least 1."))
        if batch_size < 100:
            raise CommandError(_("--batch-size must be at least 100."))

        def progress(done: int, total: int, seconds: float) -> None:
            if verbosity >= 1:
                self.stdout.write(
                    _("  %(done)d of %(total)d members written (%(seconds).0f s)")
                    % {"done": done, "total": total, "seconds": seconds}
                )

        def centre_progress(done: int, total: int, seconds: float) -> None:
            if verbosity >= 1:
                self.stdout.write(
                    _("  assistance centre: %(done)d of %(total)d members covered (%(seconds).0f s)")
                    % {"done": done, "total": total, "seconds": seconds}
                )

        result = loader.load(
            seed=seed, members=members, batch_size=batch_size, progress=progress, centre_progress=centre_progress
        )
        self.stdout.write(
            _(
                "Demo data loaded in %(seconds).1f s (seed %(seed)d): %(unions)d union(s), %(units)d org units, "
                "%(members)d members."
            )
            % {
                "seconds": result.seconds,
                "seed": result.seed,
                "unions": result.unions,
                "units": result.units,
                "members": result.members,
            }
        )
        centre = result.centre
        self.stdout.write(
            _(
                "Hardship Assistance Centre (%(seconds).1f s): %(files)d hardship files, %(assistance)d assistance "
                "records, %(follow_ups)d follow-ups, %(payments)d payments, %(applications)d education-aid "
                "applications, %(visits)d visits, %(ratings)d ratings."
            )
            % {
                "seconds": centre.seconds,
                "files": centre.files,
                "assistance": centre.assistance,
                "follow_ups": centre.follow_ups,
                "payments": centre.payments,
                "applications": centre.aid_applications,
                "visits": centre.visits,
                "ratings": centre.ratings,
            }
        )
        if options["ratings"] or options["responses"]:
            self._satisfaction(seed, options, verbosity)
        self.stdout.write("")
        self.stdout.write(_("Demo logins (password: %(password)s)") % {"password": loader.DEMO_PASSWORD})
        second_factor = _("second factor")
        for login in loader.demo_logins():
            marker = f"  ({second_factor})" if loader.needs_second_factor(login) else ""
            self.stdout.write(f"  {login.username:<14} {login.display_name}{marker}")
        self.stdout.write(
            _(
                "Accounts with a role above member sign in with a second factor: add the TOTP secret %(secret)s to an "
                "authenticator app."
            )  # fmt: skip
            % {"secret": loader.DEMO_TOTP_SECRET}
        )

    def _satisfaction(self, seed: int, options: dict, verbosity: int) -> None:
        def progress(text: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {text}")

        result = satisfaction_scale_build(
            ratings=options["ratings"],
            responses=options["responses"],
            answers_per_response=options["answers_per_response"],
            seed=seed,
            progress=progress,
        )
        written = result.get("rating_sources", {}).get("written", {})
        surveys = result.get("surveys", {})
        self.stdout.write(
            _(
                "Satisfaction data added in %(seconds).1f s: %(ratings)d ratings, %(responses)d survey responses "
                "with %(answers)d answers; tallies rebuilt."
            )
            % {
                "seconds": result["seconds"],
                "ratings": sum(written.values()),
                "responses": surveys.get("responses", 0),
                "answers": surveys.get("answers", 0),
            }
        )
