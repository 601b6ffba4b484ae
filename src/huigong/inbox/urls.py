from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
]

#: The worker's 消息 on the portal (``/m/inbox/``, namespace ``portal``).
portal_urlpatterns = [
    path("inbox/", views.portal_inbox, name="inbox"),
    path("inbox/<int:pk>/open/", views.portal_open, name="inbox_open"),
    path("inbox/read-all/", views.portal_read_all, name="inbox_read_all"),
    path("inbox/settings/", views.portal_preferences, name="inbox_preferences"),
]
