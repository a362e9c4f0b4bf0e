from __future__ import annotations

from django.urls import path

from himaccess.natural_farming import views

app_name = "natural_farming"

# Mounted under the Agriculture department's address (/departments/agriculture/), whose own page
# (the general department page) shows the figures as a section.
urlpatterns = [
    path("natural-farming/", views.desk, name="desk"),
    path("natural-farming/figures/", views.figures_page, name="figures"),
    path("natural-farming/payments/", views.pay, name="pay"),
    path("natural-farming/families/<str:family_id>/", views.family, name="family"),
    path("natural-farming/farmers/<str:reference>/", views.farmer, name="farmer"),
    path("natural-farming/farmers/<str:reference>/parcels/", views.add_parcel, name="add_parcel"),
    path("natural-farming/farmers/<str:reference>/certification/", views.certify, name="certify"),
    path("natural-farming/centres/<slug:code>/", views.centre, name="centre"),
]
