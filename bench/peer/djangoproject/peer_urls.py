"""URLs of the peer: django-helpdesk at the root, as in its standalone set-up."""

from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
