"""Offscreen rendering of textured meshes: colour, depth and motion vectors per frame.

Built on moderngl with a standalone context: through EGL it runs on Mesa's llvmpipe
software rasterizer on a CPU-only machine and on the GPU's driver where there is one,
with no display. One draw writes three targets at once: lit colour, linear depth and
screen-space motion vectors.

Motion vector convention (the one the supersampling network warps with): for each pixel,
``motion[y, x] = (dx, dy)`` is the offset in pixels from this pixel to where the same
surface point was in the previous frame (x to the right, y down), so the previous frame
is aligned to this one by sampling it at ``(x + dx, y + dy)`` (backward warping). Motion
ignores the sub-pixel jitter, as in real-time temporal upsampling; the jitter of each
frame is returned alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heritagekit.errors import BadInputError, HeritageError
from heritagekit.render.camera import CameraFrame
from heritagekit.render.mesh import TexturedMesh

_VERTEX_SHADER = """
#version 330
uniform mat4 mvp;
uniform mat4 prev_mvp;
uniform mat4 model_view;
uniform vec2 jitter_ndc;
in vec3 in_position;
in vec3 in_normal;
in vec2 in_uv;
out vec3 v_normal_view;
out vec3 v_position_view;
out vec2 v_uv;
out vec4 v_clip;
out vec4 v_prev_clip;
void main() {
    vec4 clip = mvp * vec4(in_position, 1.0);
    v_clip = clip;
    v_prev_clip = prev_mvp * vec4(in_position, 1.0);
    vec4 position_view = model_view * vec4(in_position, 1.0);
    v_position_view = position_view.xyz;
    v_normal_view = mat3(transpose(inverse(model_view))) * in_normal;
    v_uv = in_uv;
    gl_Position = clip + vec4(jitter_ndc * clip.w, 0.0, 0.0);
}
"""

_FRAGMENT_SHADER = """
#version 330
uniform sampler2D texture0;
uniform float lod_bias;
uniform vec2 viewport;
uniform vec3 light_direction;
in vec3 v_normal_view;
in vec3 v_position_view;
in vec2 v_uv;
in vec4 v_clip;
in vec4 v_prev_clip;
layout(location = 0) out vec4 out_colour;
layout(location = 1) out vec2 out_motion;
layout(location = 2) out float out_depth;
void main() {
    vec3 normal = normalize(v_normal_view);
    vec3 to_eye = normalize(-v_position_view);
    if (dot(normal, to_eye) < 0.0) normal = -normal;  // two-sided lighting
    vec3 base = texture(texture0, v_uv, lod_bias).rgb;
    float diffuse = max(dot(normal, light_direction), 0.0);
    float fill = 0.35 * max(dot(normal, normalize(vec3(-0.6, 0.2, 0.8))), 0.0);
    vec3 halfway = normalize(light_direction + to_eye);
    float specular = 0.25 * pow(max(dot(normal, halfway), 0.0), 48.0);
    vec3 lit = base * (0.28 + 0.75 * diffuse + fill) + vec3(specular);
    out_colour = vec4(clamp(lit, 0.0, 1.0), 1.0);
    vec2 ndc = v_clip.xy / v_clip.w;
    vec2 prev_ndc = v_prev_clip.xy / v_prev_clip.w;
    // NDC y points up, image rows go down.
    out_motion = (prev_ndc - ndc) * 0.5 * viewport * vec2(1.0, -1.0);
    out_depth = -v_position_view.z;
}
"""


@dataclass
class RenderedFrame:
    colour: np.ndarray  # (H, W, 3) float32 in [0, 1]
    depth: np.ndarray  # (H, W) float32, distance along the view axis; 0 where no surface
    motion: np.ndarray  # (H, W, 2) float32 pixels to the previous frame (see module doc)
    coverage: np.ndarray  # (H, W) bool, a surface was hit
    jitter: tuple[float, float]  # sub-pixel jitter (x, y) in pixels used for this frame


def create_context():
    """A headless OpenGL 3.3+ context: EGL first (no display needed), then the default."""
    import moderngl

    errors = []
    for kwargs in ({"backend": "egl"}, {}):
        try:
            return moderngl.create_standalone_context(require=330, **kwargs)
        except Exception as error:  # each backend fails with its own exception type
            errors.append(f"{kwargs.get('backend', 'default')}: {error}")
    raise HeritageError(
        "no headless OpenGL context could be created (" + "; ".join(errors) + "). "
        "On Debian/Ubuntu install libegl1 and libgl1-mesa-dri (Mesa's llvmpipe)."
    )


class Renderer:
    """Renders one scene at one resolution; reuse it for every frame of a sequence.

    ``lod_bias`` is added to the texture level of detail: a negative bias samples textures
    sharper than this resolution alone would (-log2(s) for frames upscaled s times).
    """

    def __init__(
        self,
        meshes: list[TexturedMesh],
        width: int,
        height: int,
        *,
        background: tuple[float, float, float] = (0.93, 0.92, 0.90),
        lod_bias: float = 0.0,
        context=None,
    ) -> None:
        if not meshes:
            raise BadInputError("the scene is empty: nothing to render")
        if width < 1 or height < 1:
            raise BadInputError(f"render size must be positive (got {width}x{height})")
        self.width, self.height = width, height
        self.background = background
        self.lod_bias = lod_bias
        self.ctx = context or create_context()
        self.program = self.ctx.program(
            vertex_shader=_VERTEX_SHADER, fragment_shader=_FRAGMENT_SHADER
        )
        self._draws = [self._upload(mesh) for mesh in meshes]
        self._colour = self.ctx.texture((width, height), 4, dtype="f1")
        self._motion = self.ctx.texture((width, height), 2, dtype="f4")
        self._depth = self.ctx.texture((width, height), 1, dtype="f4")
        self._zbuffer = self.ctx.depth_renderbuffer((width, height))
        self.fbo = self.ctx.framebuffer([self._colour, self._motion, self._depth], self._zbuffer)

    def _upload(self, mesh: TexturedMesh):
        import moderngl

        interleaved = np.hstack([mesh.positions, mesh.normals, mesh.uvs]).astype("f4")
        vbo = self.ctx.buffer(interleaved.tobytes())
        ibo = self.ctx.buffer(mesh.faces.astype("i4").tobytes())
        vao = self.ctx.vertex_array(
            self.program, [(vbo, "3f 3f 2f", "in_position", "in_normal", "in_uv")], ibo
        )
        # OpenGL's first texture row is v = 0, the image's bottom row: upload bottom-up.
        image = np.ascontiguousarray(mesh.texture[::-1])
        texture = self.ctx.texture((image.shape[1], image.shape[0]), 3, image.tobytes())
        texture.build_mipmaps()
        texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
        texture.repeat_x = texture.repeat_y = True
        return vao, texture

    def render(
        self,
        frame: CameraFrame,
        previous: CameraFrame | None = None,
        jitter: tuple[float, float] = (0.0, 0.0),
    ) -> RenderedFrame:
        """Render ``frame``; motion is measured against ``previous`` (zero if None)."""
        import moderngl

        previous = previous or frame
        self.fbo.use()
        self.ctx.viewport = (0, 0, self.width, self.height)
        self.ctx.enable(moderngl.DEPTH_TEST)
        # Every target is cleared to zero; the background colour is composited on read, so
        # that alpha = 0 marks the pixels no surface covers in all three targets.
        self.fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0)
        self._set("mvp", frame.mvp)
        self._set("prev_mvp", previous.mvp)
        self._set("model_view", frame.view @ frame.model)
        self.program["viewport"].value = (float(self.width), float(self.height))
        # Moving the image by -jitter makes pixel (x, y) see the scene at
        # (x + 0.5 + jx, y + 0.5 + jy), the sample position the network assumes.
        self.program["jitter_ndc"].value = (
            -2 * jitter[0] / self.width,
            2 * jitter[1] / self.height,
        )
        light = np.array([0.45, 0.65, 0.6])
        self.program["light_direction"].value = tuple(light / np.linalg.norm(light))
        self.program["texture0"].value = 0
        self.program["lod_bias"].value = float(self.lod_bias)
        for vao, texture in self._draws:
            texture.use(0)
            vao.render(moderngl.TRIANGLES)
        return self._read(jitter)

    def _set(self, name: str, matrix: np.ndarray) -> None:
        # GLSL matrices are column-major.
        self.program[name].write(np.asarray(matrix, dtype="f4").T.tobytes())

    def _read(self, jitter: tuple[float, float]) -> RenderedFrame:
        h, w = self.height, self.width
        colour = np.frombuffer(self.fbo.read(components=4, attachment=0), dtype=np.uint8)
        colour = colour.reshape(h, w, 4)[::-1]
        motion = np.frombuffer(
            self.fbo.read(components=2, attachment=1, dtype="f4"), dtype=np.float32
        )
        depth = np.frombuffer(
            self.fbo.read(components=1, attachment=2, dtype="f4"), dtype=np.float32
        )
        coverage = colour[..., 3] > 0
        rgb = np.where(coverage[..., None], colour[..., :3] / 255.0, np.asarray(self.background))
        return RenderedFrame(
            colour=rgb.astype(np.float32),
            depth=np.where(coverage, depth.reshape(h, w)[::-1], 0.0).astype(np.float32),
            motion=np.where(coverage[..., None], motion.reshape(h, w, 2)[::-1], 0.0).astype(
                np.float32
            ),
            coverage=coverage,
            jitter=jitter,
        )

    def release(self) -> None:
        for vao, texture in self._draws:
            vao.release()
            texture.release()
        self.fbo.release()
