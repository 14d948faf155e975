"""Renderer: colour, depth and motion vectors checked against projective geometry."""

from __future__ import annotations

import numpy as np
import pytest

from heritagekit.errors import BadInputError
from heritagekit.render import Renderer, camera_path, jitter_offset, make_scene, scene_bounds
from heritagekit.render.camera import CameraFrame
from heritagekit.render.mesh import TexturedMesh, load_meshes
from heritagekit.render.procedural import save_glb

W, H = 96, 72


def _frames(kind: str, meshes, count: int = 4) -> list[CameraFrame]:
    centre, radius = scene_bounds(meshes)
    return list(camera_path(kind, count * 6, centre=centre, radius=radius, aspect=W / H))[:count]


def _unproject(frame: CameraFrame, x: np.ndarray, y: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Object-space points seen at pixel centres (x, y) with linear view depth."""
    ndc_x = (x + 0.5) / W * 2 - 1
    ndc_y = 1 - (y + 0.5) / H * 2
    p = frame.projection
    # view-space x, y from the projection's scale terms at depth z_view = -depth
    view = np.stack(
        [ndc_x * depth / p[0, 0], ndc_y * depth / p[1, 1], -depth, np.ones_like(depth)], -1
    )
    return view @ np.linalg.inv(frame.view @ frame.model).T


@pytest.mark.parametrize("path", ["turntable", "orbit", "dolly"])
def test_motion_vectors_point_to_the_same_surface_point_in_the_previous_frame(path: str) -> None:
    meshes = make_scene("vase", 1)
    previous, current = _frames(path, meshes, 2)
    renderer = Renderer(meshes, W, H)
    out = renderer.render(current, previous)
    ys, xs = np.nonzero(out.coverage)
    assert len(ys) > 500
    points = _unproject(
        current, xs.astype(float), ys.astype(float), out.depth[ys, xs].astype(float)
    )
    clip = points @ previous.mvp.T
    prev_x = (clip[:, 0] / clip[:, 3] + 1) / 2 * W - 0.5
    prev_y = (1 - clip[:, 1] / clip[:, 3]) / 2 * H - 0.5
    expected = np.stack([prev_x - xs, prev_y - ys], -1)
    error = np.abs(out.motion[ys, xs] - expected)
    assert np.median(error) < 0.01
    assert np.percentile(error, 99) < 0.1
    assert np.abs(out.motion[ys, xs]).max() > 0.5  # something moved


def test_static_frame_has_zero_motion_and_depth_only_on_the_model() -> None:
    meshes = make_scene("box", 2)
    frame = _frames("turntable", meshes, 1)[0]
    out = Renderer(meshes, W, H).render(frame)
    assert np.all(out.motion == 0)
    assert out.coverage.any() and (~out.coverage).any()
    assert np.all(out.depth[~out.coverage] == 0) and np.all(out.depth[out.coverage] > 0)
    assert out.colour.shape == (H, W, 3) and out.colour.dtype == np.float32


def test_jitter_moves_each_sample_to_where_the_network_places_it() -> None:
    # The network (zero_upsample) assumes pixel (x, y) sampled the scene at
    # (x + 0.5 + jx, y + 0.5 + jy). Check it against a 4x render: a jittered low-res
    # pixel must agree with the high-res pixel whose centre is that sample position.
    meshes = make_scene("papercut", 3)
    frame = _frames("turntable", meshes, 1)[0]
    high = Renderer(meshes, W * 4, H * 4).render(frame).coverage
    low_renderer = Renderer(meshes, W, H)
    for jitter, (row, col) in [((0.375, -0.375), (0, 3)), ((-0.375, 0.125), (2, 0))]:
        low = low_renderer.render(frame, jitter=jitter).coverage
        expected = high[row::4, col::4]
        wrong_way = high[3 - row :: 4, 3 - col :: 4]
        assert np.mean(low != expected) < 0.003
        assert np.mean(low != wrong_way) > 2 * np.mean(low != expected)
    jitters = np.array([jitter_offset(i) for i in range(16)])
    assert np.all(np.abs(jitters) <= 0.5) and len({tuple(j) for j in jitters}) == 16


def test_texture_orientation_matches_uv_convention() -> None:
    # A quad facing the camera whose texture is red on its top half and blue below.
    texture = np.zeros((2, 1, 3), np.uint8)
    texture[0] = (255, 0, 0)
    texture[1] = (0, 0, 255)
    positions = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], np.float32)
    uvs = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
    quad = TexturedMesh(positions, np.tile([0, 0, 1], (4, 1)), uvs, [[0, 1, 2], [0, 2, 3]], texture)
    frame = _frames("dolly", [quad], 1)[0]
    out = Renderer([quad], W, H).render(frame)
    column = out.colour[:, W // 2]
    top, bottom = column[out.coverage[:, W // 2]][[2, -3]]
    assert top[0] > top[2] and bottom[2] > bottom[0]


def test_glb_round_trip_keeps_geometry_and_texture(tmp_path) -> None:
    meshes = make_scene("bowl", 4)
    path = save_glb(meshes, tmp_path / "bowl.glb")
    loaded = load_meshes(path)
    assert sum(len(m.faces) for m in loaded) == sum(len(m.faces) for m in meshes)
    assert loaded[0].texture.shape == meshes[0].texture.shape
    np.testing.assert_allclose(scene_bounds(loaded)[1], scene_bounds(meshes)[1], rtol=1e-5)


def test_bad_models_raise_one_clear_error(tmp_path) -> None:
    broken = tmp_path / "broken.glb"
    broken.write_bytes(b"glTF\x02\x00\x00\x00garbage")
    with pytest.raises(BadInputError, match=r"broken\.glb"):
        load_meshes(broken)
    with pytest.raises(BadInputError, match="no such file"):
        load_meshes(tmp_path / "missing.obj")
    with pytest.raises(BadInputError, match="empty"):
        Renderer([], W, H)
    with pytest.raises(BadInputError, match="camera path"):
        list(camera_path("spiral", 3, centre=np.zeros(3), radius=1.0, aspect=1.0))


def _textured_obj(folder, texture_line: str) -> object:
    (folder / "tri.obj").write_text(
        "mtllib tri.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\n"
        "usemtl m\nf 1/1 2/2 3/3\n"
    )
    (folder / "tri.mtl").write_text(f"newmtl m\nKd 1 1 1\n{texture_line}\n")
    return folder / "tri.obj"


def test_missing_textures_are_named_not_dropped(tmp_path) -> None:
    from PIL import Image

    # present: the texture is used (a 1x1 solid texture would mean it was dropped)
    Image.new("RGB", (8, 4), (200, 30, 30)).save(tmp_path / "red tex.png")
    textured = load_meshes(_textured_obj(tmp_path, "map_Kd red tex.png"))
    assert textured[0].texture.shape == (4, 8, 3)
    assert tuple(textured[0].texture[0, 0]) == (200, 30, 30)
    # a map statement with options (scale, clamp, bump multiplier...) keeps its texture
    for options in ("-s 1 1 1", "-clamp on -bm 0.5", "-o 0.1 0.2 -imfchan l"):
        with_options = load_meshes(_textured_obj(tmp_path, f"map_Kd {options} red tex.png"))
        assert with_options[0].texture.shape == (4, 8, 3), options
    # missing map: one error naming the model and the texture
    with pytest.raises(BadInputError, match=r"tri\.obj.*'gone\.png', which is missing"):
        load_meshes(_textured_obj(tmp_path, "map_Kd -clamp on gone.png"))
    # missing material library
    (tmp_path / "tri.mtl").unlink()
    with pytest.raises(BadInputError, match=r"'tri\.mtl', which is missing"):
        load_meshes(tmp_path / "tri.obj")
    # a glTF whose external image is missing
    gltf = tmp_path / "scene.gltf"
    gltf.write_text(
        '{"asset": {"version": "2.0"}, "images": [{"uri": "tex%20a.png"}], '
        '"buffers": [{"uri": "data:application/octet-stream;base64,AAAA", "byteLength": 3}]}'
    )
    with pytest.raises(BadInputError, match=r"'tex a\.png', which is missing"):
        load_meshes(gltf)
