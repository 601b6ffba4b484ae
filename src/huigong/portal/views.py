"""The portal home: the services a worker can use today."""

from django.shortcuts import render

from huigong.kernel.registry import tiles_for


def home(request):
    return render(request, "portal/home.html", {"tiles": tiles_for(request.user)})
