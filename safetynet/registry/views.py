from django.shortcuts import render

from safetynet.registry.selectors import household_list as select_households


def household_list(request):
    households = select_households(actor=request.user)[:50]
    return render(request, "registry/household_list.html", {"households": households})
