from unionhome.home.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    return {"nav_items": items_for(user) if user is not None else []}
