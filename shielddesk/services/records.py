"""Stored rows as the domain's plain records."""

from __future__ import annotations

from shielddesk.domain.child import Carer, ChildRecord, Involvement
from shielddesk.storage.models import Child


def record_of(child: Child) -> ChildRecord:
    return ChildRecord(
        cp_id=child.cp_id,
        forenames=child.forenames,
        surname=child.surname,
        former_surnames=child.former_surnames,
        date_of_birth=child.date_of_birth,
        gender=child.gender,
        address_line1=child.address_line1,
        address_line2=child.address_line2,
        town=child.town,
        postcode=child.postcode,
        school_name=child.school_name,
        school_urn=child.school_urn,
        school_postcode=child.school_postcode,
        gp_practice_name=child.gp_practice_name,
        gp_practice_code=child.gp_practice_code,
        gp_postcode=child.gp_postcode,
        carers=tuple(Carer(c.name, c.relationship, c.address, c.phone) for c in child.carers),
        involvements=tuple(
            Involvement(i.service, i.practitioner, i.role, i.organisation, i.phone, i.address, i.postcode)
            for i in child.involvements
        ),
    )
