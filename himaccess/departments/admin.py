from django.contrib import admin

from himaccess.departments.models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_hi", "lgd_org_code")
    search_fields = ("code", "name_en", "name_hi")
