"""Pages of the workforce app: social workers (list with masked ID numbers, detail with the
logged reveal, register and edit)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from procurement.selectors import organisations_visible
from stations.forms import add_other_errors, add_service_errors
from stations.history import event_rows, history_entries
from stations.scoping import ScopedView
from stations.validation import all_errors
from workforce import permissions, services
from workforce.apis import SocialWorkerFilter
from workforce.forms import SocialWorkerForm
from workforce.models import SocialWorker, WorkerStatus
from workforce.selectors import id_number_reveals, social_workers_visible


class SocialWorkerListView(ScopedView):
    """Social workers in scope, ID numbers and phones masked, filtered by employer, status."""

    selector = staticmethod(social_workers_visible)
    capability = staticmethod(permissions.can_see_social_workers)

    def get(self, request):
        filterset = SocialWorkerFilter(request.GET or None, queryset=self.get_queryset())
        queryset = filterset.qs if filterset.is_bound else self.get_queryset()
        page = Paginator(queryset.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "statuses": WorkerStatus.choices,
            "organisations": organisations_visible(self.scope).order_by("name"),
            "can_manage": permissions.can_manage_social_workers(self.membership),
        }
        return render(request, "workforce/worker_list.html", context)


class SocialWorkerDetailView(ScopedView):
    selector = staticmethod(social_workers_visible)
    capability = staticmethod(permissions.can_see_social_workers)

    def get(self, request, pk: int, revealed: str | None = None):
        worker = self.get_object()
        events = SocialWorker.pgh_event_model.objects.filter(  # type: ignore[attr-defined]
            pgh_obj_id=worker.pk
        ).select_related("pgh_context")
        can_reveal = permissions.can_reveal_id_numbers(self.membership)
        context = {
            "worker": worker,
            "revealed": revealed,
            "can_reveal": can_reveal,
            "reveals": list(id_number_reveals(self.scope, worker)[:20]) if can_reveal else [],
            "can_manage": permissions.can_manage_social_workers(self.membership),
            "history": history_entries(event_rows(events), SocialWorker),
        }
        return render(request, "workforce/worker_detail.html", context)


class RevealIdView(SocialWorkerDetailView):
    """POST: the page again with the full ID number shown once, and the reveal logged."""

    def post(self, request, pk: int):
        worker = self.get_object()
        number = services.id_number_reveal(actor=self.membership, worker=worker)
        response = self.get(request, pk, revealed=number)
        response["Cache-Control"] = "no-store"  # the number must not stay in a cache
        return response


class SocialWorkerFormView(ScopedView):
    """Register a social worker (no pk) or change one; every problem at once."""

    selector = staticmethod(social_workers_visible)
    capability = staticmethod(permissions.can_see_social_workers)

    def form(self, request, worker):
        if not permissions.can_manage_social_workers(self.membership):
            raise PermissionDenied(_("您的角色不能登记或修改社工信息。"))
        organisations = organisations_visible(self.scope).order_by("name")
        if request.method == "POST":
            return SocialWorkerForm(request.POST, organisations=organisations, worker=worker)
        return SocialWorkerForm(organisations=organisations, worker=worker)

    def get(self, request, pk: int | None = None):
        worker = self.get_object() if pk else None
        return self.render_form(request, self.form(request, worker), worker)

    def post(self, request, pk: int | None = None):
        worker = self.get_object() if pk else None
        form = self.form(request, worker)
        valid = form.is_valid()
        values = (
            form.service_values()
            if valid
            else {
                name: value for name, value in form.cleaned_data.items() if value not in (None, "")
            }
        )
        if not valid and "employer" in values:
            values["employer"] = values["employer"].pk
        if valid:
            try:
                if worker is None:
                    saved = services.social_worker_create(actor=self.membership, **values)
                else:
                    saved = services.social_worker_update(
                        actor=self.membership, worker=worker, **values
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存：%(name)s") % {"name": saved.name})
                return redirect("workforce:worker-detail", pk=saved.pk)
        else:
            check = partial(
                services.social_worker_check,
                actor=self.membership,
                worker=SocialWorker.objects.get(pk=worker.pk) if worker else None,
                **values,
            )
            add_other_errors(form, all_errors(form.errors, check))
        return self.render_form(request, form, worker, status=400)

    def render_form(self, request, form, worker, status=200):
        context = {"form": form, "worker": worker}
        return render(request, "workforce/worker_form.html", context, status=status)
