"""The platform operator's admin: tenants and memberships go through the same services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stations import services
from stations.models import CoverageOverride, Division, Membership, Tenant


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "township_kind", "edition", "retired_on"]
    list_filter = ["level", "township_kind", "edition"]
    search_fields = ["code", "name"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # divisions come from import_divisions only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantCreationForm(forms.ModelForm):
    code = forms.CharField(label=_("地级区划代码"), max_length=12, help_text=_("如 4502（柳州市）"))

    class Meta:
        model = Tenant
        fields = ["code"]

    def clean_code(self):
        # The same check tenant_create makes in save_model, shown as a field error.
        try:
            services.prefecture_for_tenant(self.cleaned_data["code"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["code"]) from error
        return self.cleaned_data["code"]

    def validate_unique(self):
        pass

    def _post_clean(self):
        pass


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active", "created_at"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "division", "name", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TenantCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # a tenant's history must stay; deactivate it instead

    def get_fields(self, request, obj=None):
        return ["code"] if obj is None else ["code", "division", "name", "is_active", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            with services.acting(request.user, action="admin_tenant_change"):
                obj.save()
            return
        tenant = services.tenant_create(code=form.cleaned_data["code"], user=request.user)
        obj.pk = tenant.pk
        obj.__dict__.update(tenant.__dict__)


class MembershipForm(forms.ModelForm):
    scope_code = forms.CharField(
        label=_("范围（县级区划代码）"),
        required=False,
        help_text=_("县（区）民政干部必填，如 450202；其他角色留空。"),
    )

    class Meta:
        model = Membership
        fields = ["tenant", "user", "role", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.scope_id:
            self.fields["scope_code"].initial = self.instance.scope.short_code

    def _post_clean(self):
        # Role and scope are checked by the service below; the model's own checks
        # would reject a county officer whose scope is not set on the instance yet.
        pass

    def clean(self):
        cleaned = super().clean()
        tenant, role = cleaned.get("tenant") or self.instance_tenant(), cleaned.get("role")
        if tenant and role:
            try:
                services.membership_scope(
                    tenant=tenant, role=role, scope_code=cleaned.get("scope_code") or None
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    target = "scope_code" if field == "scope" else field
                    self.add_error(target if target in self.fields else None, messages)
        return cleaned

    def instance_tenant(self):
        return self.instance.tenant if self.instance.tenant_id else None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "tenant", "role", "scope", "is_active"]
    list_filter = ["tenant", "role", "is_active"]
    search_fields = ["user__username", "tenant__name"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # A membership belongs to one user in one tenant; another pair is another membership.
        return ["tenant", "user"] if obj else []

    def save_model(self, request, obj, form, change):
        tenant = obj.tenant if change else form.cleaned_data["tenant"]
        user = obj.user if change else form.cleaned_data["user"]
        saved = services.membership_set(
            tenant=tenant,
            user=user,
            role=form.cleaned_data["role"],
            scope_code=form.cleaned_data.get("scope_code") or None,
            acting_user=request.user,
        )
        if not form.cleaned_data.get("is_active", True):
            with services.acting(request.user, action="membership_deactivate"):
                saved.is_active = False
                saved.save(update_fields=["is_active"])
        obj.pk = saved.pk


@admin.register(CoverageOverride)
class CoverageOverrideAdmin(admin.ModelAdmin):
    list_display = ["tenant", "division", "counted", "reason", "updated_by", "updated_at"]
    list_filter = ["tenant", "counted"]
    readonly_fields = ["tenant", "division", "counted", "reason", "updated_by", "updated_at"]

    def has_add_permission(self, request):
        return False  # set on the division page by a city admin
