"""Offscreen rendering of 3D craft models with colour, depth and motion vectors."""

from heritagekit.render.camera import CAMERA_PATHS, CameraFrame, camera_path, jitter_offset
from heritagekit.render.mesh import TexturedMesh, load_meshes, scene_bounds
from heritagekit.render.procedural import SCENE_KINDS, make_scene, random_scene, save_glb
from heritagekit.render.renderer import RenderedFrame, Renderer

__all__ = [
    "CAMERA_PATHS",
    "SCENE_KINDS",
    "CameraFrame",
    "RenderedFrame",
    "Renderer",
    "TexturedMesh",
    "camera_path",
    "jitter_offset",
    "load_meshes",
    "make_scene",
    "random_scene",
    "save_glb",
    "scene_bounds",
]
