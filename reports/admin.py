from django.contrib import admin

from reports.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only view of background jobs for the platform operator."""

    list_display = ["id", "tenant", "kind", "status", "progress", "requested_by", "created_at"]
    list_filter = ["tenant", "kind", "status"]
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
