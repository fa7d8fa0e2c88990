"""Pages of the reports app: the user's background jobs and their files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import permissions, services
from reports.models import KIND_PARAMETERS, JobKind, JobStatus, ReportFormat
from reports.selectors import jobs_visible
from stations.scoping import ScopedView


class JobListView(ScopedView):
    """Jobs in the user's scope, newest first; POST asks for a new one."""

    selector = staticmethod(jobs_visible)
    capability = staticmethod(permissions.can_use_jobs)

    def get(self, request):
        jobs = self.get_queryset()[:50]
        context = {
            "jobs": jobs,
            "kinds": JobKind.choices,
            "formats": ReportFormat.choices,
            "today": timezone.localdate(),
        }
        return render(request, "reports/job_list.html", context)

    def post(self, request):
        try:
            kind = request.POST.get("kind", "")
            parameters = {
                name: request.POST[name]
                for name in KIND_PARAMETERS.get(kind, ())
                if request.POST.get(name)
            }
            job = services.job_request(
                actor=self.membership,
                kind=kind,
                division_code=request.POST.get("division") or None,
                parameters=parameters,
            )
        except ValidationError as error:
            # The error is shown on the jobs page the user is sent to.
            for messages_of_field in error.message_dict.values():
                for message in messages_of_field:
                    messages.error(request, message)
            return redirect("job-list")
        messages.success(request, _("已提交：%(job)s，生成后可在此下载。") % {"job": job})
        return redirect("job-list")


class JobProgressView(ScopedView):
    """One job's row, polled by htmx until the job finishes."""

    selector = staticmethod(jobs_visible)
    capability = staticmethod(permissions.can_use_jobs)

    def get(self, request, pk: int):
        return render(request, "reports/_job_row.html", {"job": self.get_object()})


class JobDownloadView(ScopedView):
    """The file of a finished job in scope."""

    selector = staticmethod(jobs_visible)
    capability = staticmethod(permissions.can_use_jobs)

    def get(self, request, pk: int):
        job = self.get_object()
        if job.status != JobStatus.SUCCEEDED or not job.result_file:
            raise Http404(_("文件尚未生成。"))
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.result_file.name.rsplit("/", 1)[-1],
        )
