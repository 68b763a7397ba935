"""The directory schema. It follows HSDS 3.0 (Open Referral UK 3.0) closely enough to round-trip a feed,
plus the few things a signposting assistant needs that HSDS does not name (see docs/hsds-mapping.md).
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from bot.db import Base


class OrganisationKind(str, enum.Enum):
    """Who an organisation is, which decides how the bot words "this is another body's business"."""

    DISTRICT = "district"
    COUNTY = "county"
    UNITARY = "unitary"
    HOUSING_ASSOCIATION = "housing_association"
    OTHER_PUBLIC_BODY = "other_public_body"
    VOLUNTARY = "voluntary"


class ServiceStatus(str, enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


class Audience(str, enum.Enum):
    PUBLIC = "public"
    STAFF = "staff"


class Organisation(Base):
    __tablename__ = "organisations"

    id = Column(String(64), primary_key=True)
    name = Column(String(255), nullable=False)
    alternate_name = Column(String(255))
    description = Column(Text, nullable=False, default="")
    email = Column(String(255))
    website = Column(String(1024))
    kind = Column(String(32))
    """An `OrganisationKind` value, or NULL when the feed does not say."""
    is_host = Column(Boolean, nullable=False, default=False)
    """The council running this assistant: anything another organisation provides is signposted onward."""

    services = relationship("Service", back_populates="organisation")
    phones = relationship(
        "Phone",
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="Phone.position",
        primaryjoin="and_(Phone.organisation_id == Organisation.id, Phone.service_id == None)",  # noqa: E711
    )


class Service(Base):
    __tablename__ = "services"

    id = Column(String(64), primary_key=True)
    organisation_id = Column(String(64), ForeignKey("organisations.id"), index=True)
    name = Column(String(255), nullable=False)
    alternate_name = Column(String(255))
    description = Column(Text, nullable=False, default="")
    url = Column(String(1024))
    email = Column(String(255))
    status = Column(String(32), nullable=False, default=ServiceStatus.ACTIVE.value)
    staff_notes = Column(Text)
    """Shown only on the staff channel: referral criteria, internal tips."""
    last_verified = Column(Date)
    """HSDS `assured_date`: when someone last checked these details."""
    last_modified = Column(DateTime(timezone=False))
    open_on_bank_holidays = Column(Boolean, nullable=False, default=False)
    is_contact_centre = Column(Boolean, nullable=False, default=False)
    """The council's general contact centre: the number given on fallback and hand-off."""
    address = Column(Text)
    """Where residents can visit it, on one line: HSDS `service_at_locations[].location.addresses[]`."""

    organisation = relationship("Organisation", back_populates="services")
    phones = relationship(
        "Phone", back_populates="service", cascade="all, delete-orphan", order_by="Phone.position"
    )
    schedules = relationship(
        "Schedule", back_populates="service", cascade="all, delete-orphan", order_by="Schedule.position"
    )
    lgsl_codes = relationship(
        "ServiceLgsl", back_populates="service", cascade="all, delete-orphan", order_by="ServiceLgsl.code"
    )
    phrases = relationship(
        "ServicePhrase",
        back_populates="service",
        cascade="all, delete-orphan",
        order_by="ServicePhrase.position",
    )
    areas = relationship("ServiceArea", back_populates="service", cascade="all, delete-orphan")

    @property
    def codes(self) -> list[int]:
        return [link.code for link in self.lgsl_codes]

    @property
    def is_active(self) -> bool:
        return self.status == ServiceStatus.ACTIVE.value


class Phone(Base):
    __tablename__ = "phones"

    id = Column(String(64), primary_key=True)
    service_id = Column(String(64), ForeignKey("services.id", ondelete="CASCADE"), index=True)
    organisation_id = Column(String(64), ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    number = Column(String(64), nullable=False)
    extension = Column(Integer)
    type = Column(String(32))
    """HSDS phone type: voice, text, textphone, fax..."""
    description = Column(Text)
    """What the number is for, in the directory's words ("Report a missed collection")."""
    audience = Column(String(16), nullable=False, default=Audience.PUBLIC.value)
    out_of_hours = Column(Boolean, nullable=False, default=False)
    """The number to give when the service itself is closed (emergencies out of hours)."""
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="phones")
    organisation = relationship("Organisation", back_populates="phones")


class Schedule(Base):
    """A weekly opening pattern (`byday` + times) or, with `closed` set, a closure between two dates."""

    __tablename__ = "schedules"

    id = Column(String(64), primary_key=True)
    service_id = Column(String(64), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True)
    byday = Column(String(32))
    """Comma-separated RFC 5545 day codes, e.g. "MO,TU,WE,TH,FR"."""
    opens_at = Column(Time)
    closes_at = Column(Time)
    valid_from = Column(Date)
    valid_to = Column(Date)
    closed = Column(Boolean, nullable=False, default=False)
    description = Column(Text)
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="schedules")


class ServiceLgsl(Base):
    """An LGSL code a service covers (HSDS taxonomy `esdServiceTypes`)."""

    __tablename__ = "service_lgsl"

    service_id = Column(String(64), ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    code = Column(Integer, primary_key=True, index=True)

    service = relationship("Service", back_populates="lgsl_codes")


class ServicePhrase(Base):
    """How residents describe the need this service meets ("bin not emptied"), used to train the router."""

    __tablename__ = "service_phrases"
    __table_args__ = (UniqueConstraint("service_id", "phrase"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(String(64), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True)
    phrase = Column(String(500), nullable=False)
    position = Column(Integer, nullable=False, default=0)
    source = Column(String(16), nullable=False, default="directory", server_default="directory", index=True)
    """`directory` (written by imports, replaced by the next import) or `officer` (taught; never touched by
    an import): see bot.directory.phrases."""
    added_at = Column(DateTime(timezone=True), nullable=True)
    added_by = Column(String(100), nullable=True)

    service = relationship("Service", back_populates="phrases")


class ServiceArea(Base):
    """Where a service is offered, as UK postcode districts (outward codes such as "SG13")."""

    __tablename__ = "service_areas"

    id = Column(String(64), primary_key=True)
    service_id = Column(String(64), ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True)
    name = Column(String(255))
    postcode_districts = Column(Text, nullable=False, default="")
    """Space-separated outward codes."""

    service = relationship("Service", back_populates="areas")

    @property
    def districts(self) -> list[str]:
        return self.postcode_districts.split()
