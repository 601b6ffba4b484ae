"""The base of the commands that delete stale files (unconfirmed import previews,
orphaned attachment files): the same age option, the same ``--dry-run`` and the same
report, whatever they clean."""

from django.core.management.base import BaseCommand, CommandError


class FileCleanupCommand(BaseCommand):
    """Deletes the files older than an age (or, with ``--dry-run``, only lists them) and
    reports each file and the figures. A subclass names its age option and implements
    ``clean``, which returns a result with ``dry_run``, ``removed`` (the names) and
    ``scanned``."""

    #: The option that says how old a file must be to go (``--grace-hours``), its type,
    #: default, help and the largest value accepted (the smallest is 0).
    age_option: str
    age_type: type = float
    age_default: float | None = None
    age_help: str = ""
    age_max: int

    def add_arguments(self, parser):
        parser.add_argument(
            self.age_option, type=self.age_type, default=self.age_default, help=self.age_help
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
        )

    def default_age(self) -> float:
        """The age when the option is not given (where it is read from settings)."""
        return self.age_default

    def clean(self, age, *, dry_run: bool):
        raise NotImplementedError

    def summary(self, result, verb: str) -> str:
        return f"scanned: {result.scanned}, {verb}: {len(result.removed)}"

    def handle(self, *args, dry_run, **options):
        age = options[self.age_option.removeprefix("--").replace("-", "_")]
        if age is None:
            age = self.default_age()
        if not 0 <= age <= self.age_max:
            raise CommandError(f"{self.age_option} must be between 0 and {self.age_max}")
        result = self.clean(age, dry_run=dry_run)
        verb = "would delete" if result.dry_run else "deleted"
        for name in result.removed:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(self.summary(result, verb))
