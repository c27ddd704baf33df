"""Built-up polygons: any CRS, repaired when invalid, refused when there is no polygon."""

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from checker.errors import InputError
from checker.load.built_up import load_built_up
from tests.conftest import square_km, write_polygon


def test_geojson_polygon(tmp_path):
    built = load_built_up(write_polygon(tmp_path / "a.geojson"))
    assert built.geometry.geom_type == "Polygon"
    assert not built.notices


def test_points_only_is_refused(tmp_path):
    path = write_polygon(tmp_path / "p.geojson", geometry={"type": "Point", "coordinates": [113.3, 22.6]})
    with pytest.raises(InputError, match="Polygon/MultiPolygon") as error:
        load_built_up(path)
    assert "Point" in error.value.en


def test_empty_collection_is_refused(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError):
        load_built_up(path)


def test_not_a_vector_file(tmp_path):
    path = tmp_path / "junk.geojson"
    path.write_text("this is not json")
    with pytest.raises(InputError, match="Cannot read"):
        load_built_up(path)


def test_self_intersecting_ring_is_repaired_with_a_notice(tmp_path):
    a, b, c, d, _ = square_km(0, 0, 2, 2)
    bowtie = {"type": "Polygon", "coordinates": [[a, c, b, d, a]]}
    built = load_built_up(write_polygon(tmp_path / "bowtie.geojson", geometry=bowtie))
    assert built.geometry.is_valid
    assert built.geometry.area > 0
    assert any("repaired" in en for en, _ in built.notices)


def test_projected_crs_is_reprojected(tmp_path):
    square = shapely.Polygon(square_km(0, 0, 2, 2))
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[square], crs=4326).to_crs(32649)  # UTM 49N
    frame.to_file(tmp_path / "utm.gpkg")
    frame.to_file(tmp_path / "utm.shp")
    for name in ("utm.gpkg", "utm.shp"):
        built = load_built_up(tmp_path / name)
        assert built.source_crs.endswith("32649")
        assert shapely.equals_exact(built.geometry.normalize(), square.normalize(), tolerance=1e-7)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_built_up(tmp_path / "nope.geojson")


def test_cli_points_only_exits_2(tmp_path, cli, audit_args):
    args = audit_args()
    points = write_polygon(tmp_path / "pts.geojson", geometry={"type": "MultiPoint", "coordinates": [[113.3, 22.6]]})
    args[args.index("--built-up") + 1] = str(points)
    result = cli(*args, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "MultiPoint" in result.stderr
    assert not (tmp_path / "out").exists()


def test_legacy_geojson_crs_member_is_honoured(tmp_path):
    from pyproj import Transformer

    square = shapely.Polygon(square_km(0, 0, 2, 2))
    to_mercator = Transformer.from_crs(4326, 3857, always_xy=True)
    projected = shapely.transform(square, lambda xy: np.column_stack(to_mercator.transform(*xy.T)))
    document = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
                "features": [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(projected)}]}
    path = tmp_path / "mercator.geojson"
    path.write_text(json.dumps(document))
    built = load_built_up(path)
    assert built.source_crs == "EPSG:3857"
    assert shapely.equals_exact(built.geometry.normalize(), square.normalize(), tolerance=1e-7)
