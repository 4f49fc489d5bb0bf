;; The FIR kernel of src/audio/resample.ts, in WebAssembly with 128-bit SIMD (4 × f32 per instruction).
;; Build (wabt 1.0.32): wat2wasm src/audio/resample.wat -o - | base64 -w0
;; and paste the output into RESAMPLE_WASM_BASE64 in src/audio/resample-wasm.ts.
;;
;; fir(coef, K, L, M, x, p, count, out): for i in [0, count):
;;   out[i] = Σ_{j<K} coef[p·K + j] · x[j]    (f32; K a multiple of 8; pointers in bytes)
;;   then p += M; while p ≥ L: p −= L, x += 4 bytes (the next input sample)
(module
  (memory (export "memory") 1)
  (func (export "fir")
    (param $coef i32) (param $K i32) (param $L i32) (param $M i32)
    (param $x i32) (param $p i32) (param $count i32) (param $out i32)
    (local $i i32) (local $c i32) (local $xi i32) (local $end i32) (local $row i32)
    (local $a0 v128) (local $a1 v128)
    (local.set $row (i32.shl (local.get $K) (i32.const 2)))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $c (i32.add (local.get $coef) (i32.mul (local.get $p) (local.get $row))))
        (local.set $end (i32.add (local.get $c) (local.get $row)))
        (local.set $xi (local.get $x))
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (loop $inner
          (local.set $a0
            (f32x4.add (local.get $a0)
              (f32x4.mul (v128.load (local.get $c)) (v128.load (local.get $xi)))))
          (local.set $a1
            (f32x4.add (local.get $a1)
              (f32x4.mul (v128.load offset=16 (local.get $c)) (v128.load offset=16 (local.get $xi)))))
          (local.set $c (i32.add (local.get $c) (i32.const 32)))
          (local.set $xi (i32.add (local.get $xi) (i32.const 32)))
          (br_if $inner (i32.lt_u (local.get $c) (local.get $end))))
        (local.set $a0 (f32x4.add (local.get $a0) (local.get $a1)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $p (i32.add (local.get $p) (local.get $M)))
        (block $norm
          (loop $step
            (br_if $norm (i32.lt_u (local.get $p) (local.get $L)))
            (local.set $p (i32.sub (local.get $p) (local.get $L)))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer))))
)
