"""Background work of the org app: thin wrappers over services, run by the django-tasks database worker."""

from django_tasks import task

from unionhome.org.roster_import import roster_import_run


@task()
def run_member_import(import_id: int) -> str:
    """Validate and then write an uploaded member roster (see ``roster_import_run``)."""
    return roster_import_run(import_id)
