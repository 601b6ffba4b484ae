from django.conf import settings

# The example module's tests run under its own settings (``make test`` runs them apart);
# under the project's settings the module is not installed and its tests are skipped.
collect_ignore = [] if "huigong.testing.example" in settings.INSTALLED_APPS else ["example"]
