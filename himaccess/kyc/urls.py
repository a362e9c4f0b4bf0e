from django.urls import path

from himaccess.kyc import views

app_name = "kyc"

urlpatterns = [
    path("", views.index, name="index"),
    path("members/<str:member_id>/consent/", views.consent, name="consent"),
    path("members/<str:member_id>/verify/", views.verify, name="verify"),
    path("members/<str:member_id>/without-aadhaar/", views.without_aadhaar, name="without_aadhaar"),
    path("campaign/", views.campaign_page, name="campaign"),
    path("campaign/pending/<int:panchayat>/", views.pending_list, name="pending_list"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<str:reference>/", views.review, name="review"),
]
