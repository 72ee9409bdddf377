"""The signed-in user's notifications: the list and marking them read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .services import notification_mark_read, notifications_for, notifications_mark_all_read


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), 50).get_page(request.GET.get("page"))
    unread = sum(1 for n in page.object_list if n.read_at is None)
    return render(request, "notifications/list.html", {"page": page, "notifications": page.object_list,
                                                       "unread_on_page": unread})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification_mark_read(notification_id=pk, acting_user=request.user)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_all_read(acting_user=request.user)
    return redirect("notifications:list")
