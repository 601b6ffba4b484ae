from django.urls import path

from . import views

app_name = "example"

urlpatterns = [
    path("", views.errand_list, name="list"),
    path("<int:pk>/", views.errand_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.errand_detail, name="action"),
]

portal_urlpatterns = [path("errands/", views.my_errands, name="errands")]
