"""Triangle meshes as the renderer takes them, and loading of user models with trimesh.

A ``TexturedMesh`` is flat arrays (positions, normals, uv, faces) plus one RGB texture.
Scenes are lists of them. Loading flattens any glTF/GLB, OBJ or PLY scene into that form:
textures come from the material's base-colour image, and meshes without a texture get a
1x1 texture of their material or vertex colour, so every mesh renders the same way.
A texture or material file the model names but that is not there is an error (trimesh
would drop it silently and the model would render untextured).
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import numpy as np

from heritagekit.errors import BadInputError


@dataclass
class TexturedMesh:
    positions: np.ndarray  # (N, 3) float32
    normals: np.ndarray  # (N, 3) float32, unit length
    uvs: np.ndarray  # (N, 2) float32 in [0, 1]; v = 0 is the texture image's bottom row
    faces: np.ndarray  # (M, 3) int32, counter-clockwise seen from outside
    texture: np.ndarray  # (H, W, 3) uint8

    def __post_init__(self) -> None:
        self.positions = np.ascontiguousarray(self.positions, dtype=np.float32)
        self.normals = np.ascontiguousarray(self.normals, dtype=np.float32)
        self.uvs = np.ascontiguousarray(self.uvs, dtype=np.float32)
        self.faces = np.ascontiguousarray(self.faces, dtype=np.int32)
        self.texture = np.ascontiguousarray(self.texture, dtype=np.uint8)
        n = len(self.positions)
        if self.normals.shape != (n, 3) or self.uvs.shape != (n, 2):
            raise ValueError("positions, normals and uvs must have one row per vertex")
        if self.faces.ndim != 2 or self.faces.shape[1] != 3:
            raise ValueError("faces must be an (M, 3) array of vertex indices")

    def transformed(self, matrix: np.ndarray) -> TexturedMesh:
        """The mesh moved by a 4x4 affine matrix (normals by its inverse transpose)."""
        linear = matrix[:3, :3]
        positions = self.positions @ linear.T + matrix[:3, 3]
        normals = self.normals @ np.linalg.inv(linear)
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
        return TexturedMesh(positions, normals, self.uvs, self.faces, self.texture)


def scene_bounds(meshes: list[TexturedMesh]) -> tuple[np.ndarray, float]:
    """Centre of the bounding box and the radius of the bounding sphere around it."""
    points = np.concatenate([m.positions for m in meshes])
    low, high = points.min(axis=0), points.max(axis=0)
    centre = (low + high) / 2
    return centre, float(np.linalg.norm(points - centre, axis=1).max())


def vertex_normals(positions: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals of a triangle mesh."""
    a, b, c = (positions[faces[:, i]] for i in range(3))
    face_normals = np.cross(b - a, c - a)
    normals = np.zeros_like(positions)
    for i in range(3):
        np.add.at(normals, faces[:, i], face_normals)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return normals / np.maximum(length, 1e-12)


def _solid_texture(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(rgb[:3], dtype=np.uint8).reshape(1, 1, 3)


def _from_trimesh(geometry, path: Path) -> TexturedMesh:
    import trimesh

    if not isinstance(geometry, trimesh.Trimesh) or len(geometry.faces) == 0:
        raise BadInputError("holds a geometry that is not a triangle mesh", path=path)
    positions = np.asarray(geometry.vertices, dtype=np.float32)
    faces = np.asarray(geometry.faces, dtype=np.int32)
    normals = np.asarray(geometry.vertex_normals, dtype=np.float32)
    visual = geometry.visual
    uvs = getattr(visual, "uv", None)
    image = None
    material = getattr(visual, "material", None)
    if material is not None:
        image = getattr(material, "baseColorTexture", None) or getattr(material, "image", None)
    if uvs is not None and image is not None and len(uvs) == len(positions):
        texture = np.asarray(image.convert("RGB"))
        # trimesh gives uv in the OBJ convention (v = 0 on the image's bottom row), which is
        # the convention the renderer uses for every texture.
        return TexturedMesh(positions, normals, np.asarray(uvs), faces, texture)
    colour = np.array([200, 200, 200], dtype=np.uint8)
    if material is not None and getattr(material, "baseColorFactor", None) is not None:
        colour = np.asarray(material.baseColorFactor)[:3]
    elif getattr(visual, "kind", None) == "vertex":
        colour = np.asarray(visual.vertex_colors)[:, :3].mean(axis=0)
    elif material is not None and getattr(material, "main_color", None) is not None:
        colour = np.asarray(material.main_color)[:3]
    uvs = np.zeros((len(positions), 2), dtype=np.float32)
    return TexturedMesh(positions, normals, uvs, faces, _solid_texture(colour))


def load_meshes(path: str | Path) -> list[TexturedMesh]:
    """Load a glTF/GLB, OBJ or PLY file (anything trimesh reads) as renderer meshes."""
    import trimesh

    path = Path(path)
    if not path.is_file():
        raise BadInputError("no such file", path=path)
    for needed in referenced_files(path):
        if not (path.parent / needed).is_file():
            raise BadInputError(
                f"names {needed!r}, which is missing (a texture or material)", path=path
            )
    try:
        scene = trimesh.load(str(path), force="scene", resolver=_map_option_resolver(path))
    except Exception as error:  # trimesh raises many types for broken files
        raise BadInputError(f"cannot be loaded as a 3D model ({error})", path=path) from error
    meshes = []
    for node_name in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node_name]
        geometry = scene.geometry[geometry_name]
        meshes.append(_from_trimesh(geometry, path).transformed(np.asarray(transform)))
    if not meshes:
        raise BadInputError("holds no triangle mesh (empty scene)", path=path)
    return meshes


# OBJ material statements that name a file (maps of a .mtl; the .mtl itself in the .obj)
_MTL_MAP = re.compile(r"^\s*(map_\w+|bump|disp|decal|refl)\s+(.+?)\s*$", re.IGNORECASE)


def _mtl_map_file(arguments: str) -> str:
    """The file name at the end of a .mtl map statement: options such as ``-s 1 1 1`` or
    ``-clamp on`` come first, each followed by numbers, on/off or (``-imfchan``,
    ``-type``) one word; the name is the rest, which may hold spaces."""
    words = arguments.split()
    i = 0
    while i < len(words) and words[i].startswith("-") and not _is_number(words[i]):
        option = words[i].lower()
        i += 1
        if option in ("-imfchan", "-type") and i < len(words):
            i += 1
            continue
        while i < len(words) and (_is_number(words[i]) or words[i].lower() in ("on", "off")):
            i += 1
    return " ".join(words[i:])


def _map_option_resolver(path: Path):
    """A trimesh file resolver for the model's folder that also finds a texture named in a
    .mtl map statement with options (``map_Kd -s 1 1 1 wood.png``): trimesh takes the whole
    rest of the line as the file name, fails to open it and drops the texture silently."""
    from trimesh.resolvers import FilePathResolver

    class MapOptionResolver(FilePathResolver):
        def get(self, name: str) -> bytes:
            try:
                return super().get(name)
            except (OSError, ValueError):
                stripped = _mtl_map_file(name)
                if not stripped or stripped == name.strip():
                    raise
                return super().get(stripped)

        def namespaced(self, namespace: str) -> FilePathResolver:
            return MapOptionResolver(str(Path(self.parent) / namespace))

    return MapOptionResolver(str(path.parent))


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _gltf_json(path: Path) -> dict:
    """The JSON of a .gltf file or of a .glb's first chunk ({} if it cannot be read: the
    loader then reports the broken file). Of a .glb only the header and that chunk are
    read, not its (possibly large) binary buffers."""
    try:
        with path.open("rb") as stream:
            if path.suffix.lower() == ".glb":
                header = stream.read(20)
                if header[:4] != b"glTF" or len(header) < 20:
                    return {}
                length, kind = struct.unpack_from("<II", header, 12)
                if kind != 0x4E4F534A:  # "JSON"
                    return {}
                data = stream.read(length)
            else:
                data = stream.read()
        parsed = json.loads(data)
    except (OSError, ValueError, struct.error):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _obj_references(path: Path) -> list[str]:
    """An OBJ's material libraries and the texture maps those libraries name. The OBJ is
    read line by line (only its ``mtllib`` lines matter)."""
    names: list[str] = []
    with path.open(errors="replace") as lines:
        libraries = [
            line.strip()[len("mtllib ") :].strip()
            for line in lines
            if line.strip().lower().startswith("mtllib ")
        ]
    for library in libraries:
        names.append(library)
        if not (path.parent / library).is_file():
            continue
        for line in (path.parent / library).read_text(errors="replace").splitlines():
            match = _MTL_MAP.match(line)
            if match:
                names.append(_mtl_map_file(match.group(2)))
    return names


def _gltf_references(path: Path) -> list[str]:
    """A glTF/GLB's external images and buffers (``data:`` URIs are embedded)."""
    document = _gltf_json(path)
    entries = [*document.get("images", []), *document.get("buffers", [])]
    uris = [entry.get("uri") for entry in entries if isinstance(entry, dict)]
    return [unquote(uri) for uri in uris if isinstance(uri, str) and not uri.startswith("data:")]


def referenced_files(path: str | Path) -> list[str]:
    """Files a model names beside itself, relative to its folder: an OBJ's material
    libraries and their texture maps, a glTF/GLB's external images and buffers."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".obj":
        names = _obj_references(path)
    elif suffix in (".gltf", ".glb"):
        names = _gltf_references(path)
    else:
        names = []
    return [name.replace("\\", "/") for name in names if name]
