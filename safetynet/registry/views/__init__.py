"""The registry pages. Reads go through the selectors, writes through the services; a view only
turns a request into a call and the outcome into a page (or, for htmx, the part of it that changed).

By the steps of the work: the list and search (`lists`), the household page and registering a
household (`households`), members and people (`people`), items (`items`), documents (`documents`);
`common` holds what every view does alike. The household's history is presented by
registry.timeline. The URL configuration (and the import pages) use the names below.
"""

from safetynet.registry.timeline import describe_changes
from safetynet.registry.views.common import call_service, found, reader_view, writer_view
from safetynet.registry.views.documents import document_delete, document_download, document_upload
from safetynet.registry.views.grants import grant_add, grant_revoke, person_detail, person_list
from safetynet.registry.views.households import (
    household_create,
    household_detail,
    household_edit,
    household_history_reveal,
    household_reveal,
)
from safetynet.registry.views.items import ITEM_KINDS, item_add, item_delete, item_edit
from safetynet.registry.views.lists import household_list, person_candidates
from safetynet.registry.views.people import (
    member_add,
    member_edit,
    member_move,
    member_remove,
    person_edit,
    person_reveal,
)

__all__ = [
    "ITEM_KINDS", "call_service", "describe_changes", "document_delete", "document_download",
    "document_upload", "found", "grant_add", "grant_revoke", "person_detail", "person_list",
    "household_create", "household_detail", "household_edit",
    "household_history_reveal", "household_list", "household_reveal", "item_add", "item_delete",
    "item_edit", "member_add", "member_edit", "member_move", "member_remove", "person_candidates",
    "person_edit", "person_reveal", "reader_view", "writer_view",
]
