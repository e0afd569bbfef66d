"""The records of hetao.model are frozen dataclasses: each behaves as the class that
``@dataclass(frozen=True)`` makes from its fields (its twin here), on the shipped zone's
records: signature, repr, equality, hash, pickling, assignment, ``dataclasses.replace``."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

import hetao
from hetao import model

RECORDS = [getattr(model, name) for name in model.__all__
           if isinstance(getattr(model, name), type) and name != "Boundary"]


def _twin(cls: type) -> type:
    """What ``@dataclass(frozen=True)`` makes of ``cls``'s fields (methods of its own kept)."""
    own = {k: v for k, v in vars(cls).items() if isinstance(v, property)
           or (inspect.isfunction(v) and v.__code__.co_filename == model.__file__)}   # not generated
    specs = [(f.name, f.type, dataclasses.field(default=f.default, default_factory=f.default_factory,
                                                 repr=f.repr, compare=f.compare, hash=f.hash))
             for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True, namespace=own)


def _values(record: object) -> dict:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


@pytest.fixture(scope="module")
def records():
    """Every record of the shipped zone, its measurements and checks, and of a diff, by class."""
    zone = hetao.load()
    measurements = hetao.measure(zone)
    found: dict[type, list] = {}

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if value in found.setdefault(type(value), []):
                return
            found[type(value)].append(value)
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
    loop = zone.feature("hong-kong-park").geometry
    moved = model.FeatureDiff("hong-kong-park", "polygon", "hong_kong", loop, loop.buffer(1e-5), 1.0, 2.0,
                              1.0, 0.0, 1.2, 0.6, 52, 60, ("agrees",), ("differs",))
    walk([zone, measurements, hetao.check(zone, measurements), model.Diff((moved,), "old", "new")])
    return found


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_record__a_frozen_dataclass__signature_and_fields_as_dataclass_makes_them(cls):
    twin = _twin(cls)
    assert dataclasses.is_dataclass(cls)
    assert repr(cls.__dataclass_params__) == repr(twin.__dataclass_params__)
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))
    assert cls.__match_args__ == twin.__match_args__
    assert cls.__hash__ is not None


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_record__shipped_zones__repr_eq_hash_pickle_as_its_twins(cls, records):
    twin = _twin(cls)
    for record in records[cls]:
        mirror = twin(**_values(record))
        assert repr(record) == repr(mirror)
        assert hash(record) == hash(mirror)
        again = pickle.loads(pickle.dumps(record))
        assert again == record and not again != record and hash(again) == hash(record)
        assert copy.deepcopy(record) == record
        assert record != mirror and record != _values(record)
        name = dataclasses.fields(record)[0].name
        for change in (lambda: setattr(record, name, None), lambda: setattr(record, "other", 1),
                       lambda: delattr(record, name)):
            with pytest.raises(dataclasses.FrozenInstanceError):
                change()


def test_record__replace_and_compare_fields__as_dataclasses_do():
    figure = model.StatedFigure(87, "ha", "Planning Department")
    assert repr(figure) == ("StatedFigure(value=87, unit='ha', source='Planning Department', date=None, "
                            "quantity='land area', approx=False, decimals=0)")
    assert dataclasses.replace(figure, value=88) == model.StatedFigure(88, "ha", "Planning Department")
    assert dataclasses.replace(figure, value=88) != figure
    provenance = model.Provenance("s", "l", "m", "d", None)
    spec = model.FeatureSpec("a", "A", "甲", None, "polygon", provenance, notes={"why": 1})
    bare = model.FeatureSpec("a", "A", "甲", None, "polygon", provenance)
    assert spec == bare and hash(spec) == hash(bare) and bare.notes == {}   # notes: not compared
    with pytest.raises(TypeError, match="missing 3 required positional arguments"):
        model.StatedFigure()                                     # type: ignore[call-arg]


def test_record__subclassed__as_a_frozen_dataclass_is():
    @dataclasses.dataclass(frozen=True)
    class Dated(model.CheckResult):
        when: str = "today"

    dated = Dated("n", True, "d")
    assert repr(dated).endswith("Dated(name='n', ok=True, detail='d', when='today')")
    with pytest.raises(dataclasses.FrozenInstanceError):
        dated.when = "tomorrow"                                  # type: ignore[misc]
    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        dataclasses.dataclass(type("Loose", (model.CheckResult,), {}))

    class Plain(model.CheckResult):
        pass

    plain = Plain("n", True, "d")
    plain.note = "a plain subclass takes other attributes"      # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.ok = False                                         # type: ignore[misc]
