/* The accuracy tool's built-in configurations: shapes of real model layers
 * (LLaMA, BERT/GPT-2/ViT, ResNet-50) and the edge cases, per op family.
 *
 * The default tier keeps every input at or below ~1 MB (matrix-product
 * weights up to 8 MB) so that every kernel of every op validates in
 * seconds: model shapes keep their real
 * hidden, FFN, head and vocabulary sizes and scale the token count (and,
 * for matrix products, the output width N) down; the source string says
 * what was scaled. The large tier builds tensors just over 1 GiB per dtype
 * from the same model widths. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "experimental/testing/accuracy.h"

enum { L_CONTIG = FGI_ACC_CONTIG, L_OFFSET = FGI_ACC_OFFSET, L_STRIDED = FGI_ACC_STRIDED,
       L_TRANS = FGI_ACC_TRANSPOSED, L_EXPAND = FGI_ACC_EXPANDED };

/* One row of a table; expanded into one configuration per dtype (gelu: and
 * per approximation). */
typedef struct shape_case {
    const char *source;
    int ndim;
    int64_t s[4];
    int ndim_b;
    int64_t sb[4];
    int dim;        /* reductions, softmax */
    bool keepdim;
    int layout;
    bool specials;
    unsigned flags; /* F_* */
    double eps;     /* norms; 0: 1e-5 */
} shape_case;

enum {
    F_NO_AMAX = 1u << 0, /* amax of an empty reduction is refused by the op */
    F_WEIGHT = 1u << 1,  /* norms */
    F_BIAS = 1u << 2,
};

#define ALL FG_DIM_ALL

/* Table rows name only the fields they use; the rest are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* relu, gelu, silu, exp, fast_gelu */
static const shape_case k_unary[] = {
    {"LLaMA-7B hidden, 4 tokens", 2, {4, 4096}},
    {"LLaMA-7B FFN (SwiGLU), 2 tokens", 2, {2, 11008}},
    {"LLaMA-13B hidden, 2 tokens", 2, {2, 5120}},
    {"LLaMA-70B FFN, 1 token", 2, {1, 28672}},
    {"LLaMA-7B attention, 32 heads x 16 tokens x 128", 4, {1, 32, 16, 128}},
    {"BERT-base hidden, seq 128", 3, {1, 128, 768}},
    {"BERT-base FFN, seq 32", 3, {1, 32, 3072}},
    {"BERT-large hidden, 32 tokens", 2, {32, 1024}},
    {"GPT-2 FFN, 8 tokens", 2, {8, 3072}},
    {"ResNet-50 stage 1 feature map", 4, {1, 64, 56, 56}},
    {"ResNet-50 stage 3 feature map", 4, {1, 256, 14, 14}},
    {"ResNet-50 stage 4 feature map", 4, {1, 2048, 7, 7}},
    {"vector", 1, {1024}},
    {"edge: empty", 1, {0}},
    {"edge: empty middle dim", 3, {4, 0, 8}},
    {"edge: one element", 1, {1}},
    {"edge: 0-dim", 0, {0}},
    {"edge: odd length", 1, {1023}},
    {"edge: odd 3-D", 3, {3, 5, 7}},
    {"edge: odd rows", 2, {33, 65}},
    {"non-contiguous: strided with gaps", 2, {64, 96}, .layout = L_STRIDED},
    {"non-contiguous: transposed", 3, {8, 16, 24}, .layout = L_TRANS},
    {"misaligned (byte_offset)", 1, {4099}, .layout = L_OFFSET},
    {"NaN/Inf inputs", 2, {8, 1000}, .specials = true},
};

/* add, mul: a and b, broadcast NumPy-style */
static const shape_case k_binary[] = {
    {"LLaMA-7B residual, 4 tokens", 2, {4, 4096}, 2, {4, 4096}},
    {"LLaMA-7B SwiGLU gate * up, 2 tokens", 2, {2, 11008}, 2, {2, 11008}},
    {"LLaMA-13B residual, 2 tokens", 2, {2, 5120}, 2, {2, 5120}},
    {"LLaMA-7B attention mask over 32 heads", 4, {1, 32, 16, 128}, 4, {1, 1, 16, 128}},
    {"BERT-base bias (row broadcast), seq 128", 3, {1, 128, 768}, 1, {768}},
    {"BERT-base FFN, seq 32", 3, {1, 32, 3072}, 3, {1, 32, 3072}},
    {"BERT-large residual, 32 tokens", 2, {32, 1024}, 2, {32, 1024}},
    {"GPT-2 position embedding over the batch", 3, {2, 64, 768}, 2, {64, 768}},
    {"ResNet-50 stage 1 residual", 4, {1, 64, 56, 56}, 4, {1, 64, 56, 56}},
    {"ResNet-50 stage 3 per-channel scale", 4, {1, 256, 14, 14}, 3, {256, 1, 1}},
    {"ResNet-50 stage 4 residual", 4, {1, 2048, 7, 7}, 4, {1, 2048, 7, 7}},
    {"outer broadcast", 2, {32, 1}, 2, {1, 64}},
    {"vector", 1, {1024}, 1, {1024}},
    {"0-dim b", 2, {16, 33}, 0, {0}},
    {"edge: empty", 1, {0}, 1, {0}},
    {"edge: empty rows, broadcast b", 2, {0, 8}, 1, {8}},
    {"edge: one element", 1, {1}, 1, {1}},
    {"edge: 0-dim", 0, {0}, 0, {0}},
    {"edge: odd 3-D", 3, {3, 5, 7}, 3, {3, 5, 7}},
    {"edge: odd length, b of one element", 1, {1023}, 1, {1}},
    {"edge: odd rows, column broadcast", 2, {33, 65}, 2, {33, 1}},
    {"non-contiguous: strided with gaps", 2, {64, 96}, 2, {64, 96}, .layout = L_STRIDED},
    {"non-contiguous: transposed", 3, {8, 16, 24}, 3, {8, 16, 24}, .layout = L_TRANS},
    {"expanded b (stride 0)", 3, {4, 16, 64}, 1, {64}, .layout = L_EXPAND},
    {"misaligned (byte_offset)", 1, {4099}, 1, {4099}, .layout = L_OFFSET},
    {"NaN/Inf inputs", 2, {8, 1000}, 2, {8, 1000}, .specials = true},
};

/* sum, mean, amax */
static const shape_case k_reduce[] = {
    {"LLaMA-7B hidden rows, 4 tokens", 2, {4, 4096}, .dim = -1},
    {"LLaMA-7B FFN rows, 2 tokens", 2, {2, 11008}, .dim = -1},
    {"LLaMA-7B attention over keys", 4, {1, 32, 16, 128}, .dim = -1, .keepdim = true},
    {"BERT-base mean pooling over the sequence", 3, {1, 128, 768}, .dim = 1},
    {"BERT-large rows, 32 tokens", 2, {32, 1024}, .dim = -1, .keepdim = true},
    {"GPT-2 vocabulary logits", 2, {2, 50257}, .dim = -1},
    {"ResNet-50 stage 4 global pool (H*W = 49)", 3, {1, 2048, 49}, .dim = -1, .keepdim = true},
    {"ResNet-50 stage 1 global pool (H*W = 3136)", 3, {1, 64, 3136}, .dim = 2},
    {"ResNet-50 stage 3 over channels", 4, {1, 256, 14, 14}, .dim = 1},
    {"columns", 2, {512, 256}, .dim = 0},
    {"middle dim", 3, {4, 16, 32}, .dim = 1},
    {"all elements", 1, {4096}, .dim = ALL},
    {"all elements, keepdim", 2, {64, 96}, .dim = ALL, .keepdim = true},
    {"edge: empty rows", 2, {0, 8}, .dim = 1},
    {"edge: empty reduction", 2, {4, 0}, .dim = 1, .flags = F_NO_AMAX},
    {"edge: one element", 1, {1}, .dim = 0},
    {"edge: 0-dim", 0, {0}, .dim = ALL},
    {"edge: odd 3-D", 3, {3, 5, 7}, .dim = 1},
    {"edge: odd length", 1, {1023}, .dim = 0},
    {"edge: odd columns", 2, {33, 65}, .dim = 0},
    {"non-contiguous: strided with gaps", 2, {64, 96}, .dim = 1, .layout = L_STRIDED},
    {"non-contiguous: transposed", 3, {8, 16, 24}, .dim = -1, .layout = L_TRANS},
    {"misaligned (byte_offset)", 1, {4099}, .dim = 0, .layout = L_OFFSET},
    {"NaN/Inf inputs", 2, {8, 1000}, .dim = -1, .specials = true},
};

static const shape_case k_softmax[] = {
    {"LLaMA-7B attention, 32 heads x 4 queries x 128 keys", 4, {1, 32, 4, 128}, .dim = -1},
    {"LLaMA-7B decode step over 2048 keys", 4, {1, 32, 1, 2048}, .dim = -1},
    {"LLaMA-7B vocabulary logits, 2 tokens", 2, {2, 32000}, .dim = -1},
    {"BERT-base attention, 12 heads, seq 32 x 128", 4, {1, 12, 32, 128}, .dim = -1},
    {"BERT-base attention over 512 keys", 4, {1, 12, 1, 512}, .dim = -1},
    {"GPT-2 vocabulary logits", 2, {1, 50257}, .dim = -1},
    {"ViT-B attention over 197 tokens", 4, {1, 12, 4, 197}, .dim = -1},
    {"ResNet-50 classifier, batch 8", 2, {8, 1000}, .dim = -1},
    {"GPT-2 attention, 12 heads, seq 64", 4, {1, 12, 64, 64}, .dim = -1},
    {"CLIP text attention, 8 heads, 77 tokens", 4, {1, 8, 77, 77}, .dim = -1},
    {"BERT-base SQuAD attention over 384 keys", 4, {1, 12, 8, 384}, .dim = -1},
    {"ViT-L/14 attention over 257 tokens", 4, {1, 16, 4, 257}, .dim = -1},
    {"LLaMA-7B decode step over 1024 keys", 4, {1, 32, 1, 1024}, .dim = -1},
    {"T5 attention, 8 heads over 512 keys", 4, {1, 8, 16, 512}, .dim = -1},
    {"CIFAR-10 classifier, batch 64", 2, {64, 10}, .dim = -1},
    {"rows of 1024", 2, {16, 1024}, .dim = -1},
    {"over the first dim", 2, {128, 64}, .dim = 0},
    {"middle dim", 3, {4, 16, 32}, .dim = 1},
    {"vector", 1, {4096}, .dim = 0},
    {"edge: empty", 2, {0, 16}, .dim = -1},
    {"edge: empty rows", 2, {4, 0}, .dim = -1},
    {"edge: one element", 1, {1}, .dim = 0},
    {"edge: 0-dim", 0, {0}, .dim = 0},
    {"edge: odd 3-D", 3, {3, 5, 7}, .dim = -1},
    {"edge: odd length", 1, {1023}, .dim = 0},
    {"edge: odd rows", 2, {33, 65}, .dim = -1},
    {"non-contiguous: strided with gaps", 2, {64, 96}, .dim = -1, .layout = L_STRIDED},
    {"non-contiguous: transposed", 3, {8, 16, 24}, .dim = -1, .layout = L_TRANS},
    {"misaligned (byte_offset)", 2, {7, 1000}, .dim = -1, .layout = L_OFFSET},
    {"NaN/Inf inputs", 2, {8, 1000}, .dim = -1, .specials = true},
};

/* layer_norm, rms_norm (rms_norm ignores F_BIAS) */
#define WB (F_WEIGHT | F_BIAS)
static const shape_case k_norm[] = {
    {"LLaMA-7B norm, 4 tokens", 2, {4, 4096}, .flags = F_WEIGHT, .eps = 1e-6},
    {"LLaMA-13B norm, 2 tokens", 2, {2, 5120}, .flags = F_WEIGHT, .eps = 1e-6},
    {"LLaMA-70B norm, 1 token", 2, {1, 8192}, .flags = F_WEIGHT, .eps = 1e-5},
    {"BERT-base norm, seq 128", 3, {1, 128, 768}, .flags = WB, .eps = 1e-12},
    {"BERT-large norm, 32 tokens", 2, {32, 1024}, .flags = WB, .eps = 1e-12},
    {"GPT-2 norm, 2 x 16 tokens", 3, {2, 16, 768}, .flags = WB, .eps = 1e-5},
    {"ViT-B norm, 197 tokens", 3, {1, 197, 768}, .flags = WB, .eps = 1e-6},
    {"T5 norm without bias, 8 tokens", 2, {8, 512}, .flags = F_WEIGHT, .eps = 1e-6},
    {"ResNet-50 stage 4 channels-last (49 x 2048)", 2, {49, 2048}, .flags = WB},
    {"Mistral-7B norm, 8 tokens", 2, {8, 4096}, .flags = F_WEIGHT, .eps = 1e-5},
    {"LLaMA-30B norm, 1 token", 2, {1, 6656}, .flags = F_WEIGHT, .eps = 1e-6},
    {"TinyLlama / LLaMA-3.2-1B norm (2048), 4 tokens", 2, {4, 2048}, .flags = F_WEIGHT, .eps = 1e-5},
    {"Qwen2-1.5B norm (1536), 4 tokens", 2, {4, 1536}, .flags = F_WEIGHT, .eps = 1e-6},
    {"Phi-2 norm (2560), 4 tokens", 2, {4, 2560}, .flags = WB, .eps = 1e-5},
    {"GPT-2 XL norm (1600), 4 tokens", 2, {4, 1600}, .flags = WB, .eps = 1e-5},
    {"GPT-2 large norm (1280), 8 tokens", 2, {8, 1280}, .flags = WB, .eps = 1e-5},
    {"MiniLM norm (384), 32 tokens", 2, {32, 384}, .flags = WB, .eps = 1e-12},
    {"no weight, no bias", 2, {16, 256}},
    {"vector", 1, {4096}, .flags = WB},
    {"edge: empty rows", 2, {0, 64}, .flags = WB},
    {"edge: empty row length", 2, {4, 0}, .flags = WB},
    {"edge: one element", 1, {1}, .flags = WB},
    {"edge: rows of one", 2, {8, 1}, .flags = WB},
    {"edge: odd 3-D", 3, {3, 5, 7}, .flags = WB},
    {"edge: odd length", 2, {4, 1023}, .flags = WB},
    {"edge: odd rows", 2, {33, 65}, .flags = F_WEIGHT},
    {"non-contiguous: strided with gaps", 2, {64, 96}, .flags = WB, .layout = L_STRIDED},
    {"non-contiguous: transposed", 3, {8, 16, 24}, .flags = WB, .layout = L_TRANS},
    {"expanded weight and bias (stride 0)", 2, {16, 128}, .flags = WB, .layout = L_EXPAND},
    {"misaligned (byte_offset)", 2, {7, 1000}, .flags = WB, .layout = L_OFFSET},
    {"NaN/Inf inputs", 2, {8, 1000}, .flags = WB, .specials = true},
};

static const shape_case k_mm[] = {
    {"LLaMA-7B q_proj, 4 tokens (N 4096 -> 128)", 2, {4, 4096}, 2, {4096, 128}},
    {"LLaMA-7B up_proj, 2 tokens (N 11008 -> 256)", 2, {2, 4096}, 2, {4096, 256}},
    {"LLaMA-7B down_proj, 1 token (N 4096 -> 128)", 2, {1, 11008}, 2, {11008, 128}},
    {"LLaMA-7B lm_head, 1 token (N 32000 -> 512)", 2, {1, 4096}, 2, {4096, 512}},
    {"BERT-base QKV, seq 16 (N 2304 -> 192)", 2, {16, 768}, 2, {768, 192}},
    {"BERT-base FFN up, seq 8 (N 3072 -> 256)", 2, {8, 768}, 2, {768, 256}},
    {"BERT-base FFN down, seq 8 (N 768 -> 128)", 2, {8, 3072}, 2, {3072, 128}},
    {"GPT-2 attention output, seq 16 (N 768 -> 96)", 2, {16, 768}, 2, {768, 96}},
    {"ResNet-50 stage 3 1x1 conv as GEMM (N 1024 -> 64)", 2, {196, 256}, 2, {256, 64}},
    {"ResNet-50 classifier, batch 8 (N 1000 -> 100)", 2, {8, 2048}, 2, {2048, 100}},
    {"square", 2, {64, 64}, 2, {64, 64}},
    {"GEMV (M = 1)", 2, {1, 1024}, 2, {1024, 64}},
    {"N = 1", 2, {64, 512}, 2, {512, 1}},
    {"edge: K = 0", 2, {4, 0}, 2, {0, 8}},
    {"edge: M = 0", 2, {0, 16}, 2, {16, 8}},
    {"edge: one element", 2, {1, 1}, 2, {1, 1}},
    {"edge: odd", 2, {7, 13}, 2, {13, 5}},
    {"edge: odd sizes", 2, {33, 65}, 2, {65, 17}},
    {"edge: primes", 2, {31, 127}, 2, {127, 37}},
    {"transposed a and b (Linear weight stored [N, K])", 2, {32, 256}, 2, {256, 48},
     .layout = L_TRANS},
    {"non-contiguous: strided with gaps", 2, {24, 40}, 2, {40, 56}, .layout = L_STRIDED},
    {"misaligned (byte_offset)", 2, {17, 33}, 2, {33, 19}, .layout = L_OFFSET},
    {"NaN/Inf inputs", 2, {16, 64}, 2, {64, 16}, .specials = true},
};

static const shape_case k_bmm[] = {
    {"LLaMA-7B QK^T, 32 heads, 4 queries x 64 keys", 3, {32, 4, 128}, 3, {32, 128, 64}},
    {"LLaMA-7B PV, 32 heads, 4 queries", 3, {32, 4, 64}, 3, {32, 64, 128}},
    {"LLaMA-7B decode QK^T over 256 keys", 3, {32, 1, 128}, 3, {32, 128, 256}},
    {"BERT-base QK^T, 12 heads, seq 32", 3, {12, 32, 64}, 3, {12, 64, 32}},
    {"BERT-base PV, 12 heads, seq 32", 3, {12, 32, 32}, 3, {12, 32, 64}},
    {"GPT-2 QK^T, 12 heads, seq 16", 3, {12, 16, 64}, 3, {12, 64, 16}},
    {"ViT-B PV over 197 tokens, 4 query rows", 3, {12, 4, 197}, 3, {12, 197, 64}},
    {"batch of one", 3, {1, 64, 64}, 3, {1, 64, 64}},
    {"many small matrices", 3, {64, 8, 8}, 3, {64, 8, 8}},
    {"batched GEMV", 3, {16, 1, 256}, 3, {16, 256, 32}},
    {"N = 1", 3, {8, 32, 64}, 3, {8, 64, 1}},
    {"edge: K = 0", 3, {2, 4, 0}, 3, {2, 0, 8}},
    {"edge: empty batch", 3, {0, 4, 4}, 3, {0, 4, 4}},
    {"edge: M = 0", 3, {3, 0, 5}, 3, {3, 5, 7}},
    {"edge: one element", 3, {1, 1, 1}, 3, {1, 1, 1}},
    {"edge: odd", 3, {3, 7, 13}, 3, {3, 13, 5}},
    {"edge: odd sizes", 3, {5, 33, 17}, 3, {5, 17, 9}},
    {"edge: primes", 3, {7, 11, 13}, 3, {7, 13, 17}},
    {"transposed (k^T stored key-major)", 3, {8, 16, 32}, 3, {8, 32, 24}, .layout = L_TRANS},
    {"non-contiguous: strided with gaps", 3, {4, 12, 20}, 3, {4, 20, 28}, .layout = L_STRIDED},
    {"misaligned (byte_offset)", 3, {3, 17, 33}, 3, {3, 33, 19}, .layout = L_OFFSET},
    {"NaN/Inf inputs", 3, {4, 16, 32}, 3, {4, 32, 16}, .specials = true},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const shape_case *table_of(fgi_op op, size_t *n)
{
    switch (op) {
    case FGI_OP_add:
    case FGI_OP_mul: *n = N_OF(k_binary); return k_binary;
    case FGI_OP_relu:
    case FGI_OP_gelu:
    case FGI_OP_silu:
    case FGI_OP_exp:
    case FGI_OP_fast_gelu: *n = N_OF(k_unary); return k_unary;
    case FGI_OP_sum:
    case FGI_OP_mean:
    case FGI_OP_amax: *n = N_OF(k_reduce); return k_reduce;
    case FGI_OP_softmax: *n = N_OF(k_softmax); return k_softmax;
    case FGI_OP_layer_norm:
    case FGI_OP_rms_norm: *n = N_OF(k_norm); return k_norm;
    case FGI_OP_mm: *n = N_OF(k_mm); return k_mm;
    case FGI_OP_bmm: *n = N_OF(k_bmm); return k_bmm;
    default: *n = 0; return NULL;
    }
}

/* Large tier: one model width per family, rows so that the first input is
 * just over 1 GiB in the dtype. */
static size_t large_cases(fgi_op op, fgi_dtype dt, shape_case *out)
{
    const int64_t gib = (int64_t)1 << 30;
    int64_t es = fgi_dtype_size(dt);
    size_t n = 0;
    switch (op) {
    case FGI_OP_mm:
        /* LLaMA-7B hidden states of many tokens times a 16-wide slice of W */
        out[n++] = (shape_case){"LLaMA-7B hidden states, > 1 GiB, times a 4096 x 16 slice", 2,
                                {gib / (4096 * es) + 1, 4096}, 2, {4096, 16}};
        return n;
    case FGI_OP_bmm: {
        int64_t b = gib / (16 * 4096 * es) + 1;
        out[n++] = (shape_case){"LLaMA-7B QK^T of a long batch, > 1 GiB", 3, {b, 16, 4096}, 3,
                                {b, 4096, 8}};
        return n;
    }
    default: break;
    }
    int64_t rows = gib / (11008 * es) + 1;
    shape_case c = {"LLaMA-7B FFN activations, > 1 GiB", 2, {rows, 11008}, 2, {rows, 11008}};
    if (op == FGI_OP_softmax) {
        rows = gib / (32000 * es) + 1;
        c = (shape_case){"LLaMA-7B vocabulary logits, > 1 GiB", 2, {rows, 32000}};
    } else if (op == FGI_OP_layer_norm || op == FGI_OP_rms_norm) {
        rows = gib / (4096 * es) + 1;
        c = (shape_case){"LLaMA-7B hidden states, > 1 GiB", 2, {rows, 4096}, .flags = WB,
                         .eps = 1e-6};
    }
    c.dim = -1;
    out[n++] = c;
    return n;
}

static void expand(const shape_case *s, fgi_op op, fgi_dtype dt, int approx, size_t index,
                   fgi_acc_config *c)
{
    static const double alphas[3] = {1.0, -0.5, 2.5};
    memset(c, 0, sizeof *c);
    c->op = op;
    c->dtype = dt;
    c->device = kDLCPU;
    c->ndim = s->ndim;
    memcpy(c->shape, s->s, sizeof s->s);
    bool two = op == FGI_OP_add || op == FGI_OP_mul || op == FGI_OP_mm || op == FGI_OP_bmm;
    if (two) {
        c->ndim_b = s->ndim_b;
        memcpy(c->shape_b, s->sb, sizeof s->sb);
    }
    c->dim = s->dim;
    c->keepdim = s->keepdim;
    c->approx = approx;
    c->alpha = alphas[index % 3];
    c->eps = s->eps > 0 ? s->eps : 1e-5;
    c->weight = (s->flags & F_WEIGHT) != 0;
    c->bias = (s->flags & F_BIAS) != 0 && op == FGI_OP_layer_norm;
    c->layout = (fgi_acc_layout)s->layout;
    if (c->layout == FGI_ACC_EXPANDED && !two && !c->weight) c->layout = FGI_ACC_CONTIG;
    c->specials = s->specials;
    c->source = s->source;
}

fg_status fgi_acc_default_configs(fgi_op op, fgi_acc_tier tier, unsigned dtypes,
                                  fgi_acc_config **out, size_t *count)
{
    FG_RETURN_IF(!out || !count, FG_ERR_NULL, "out or count is NULL");
    *out = NULL;
    *count = 0;
    FG_RETURN_IF((unsigned)op >= FGI_OP_COUNT, FG_ERR_INVALID_ARG, "unknown op %d", (int)op);
    FG_RETURN_IF(tier != FGI_ACC_TIER_DEFAULT && tier != FGI_ACC_TIER_LARGE, FG_ERR_INVALID_ARG,
                 "unknown tier %d (expected default 0 or large 1)", (int)tier);
    FG_RETURN_IF(dtypes & ~FGI_DTYPES_ALL, FG_ERR_INVALID_ARG,
                 "dtype mask 0x%x has bits for no float32/float16/bfloat16", dtypes);
    if (!dtypes) dtypes = FGI_DTYPES_ALL;
    size_t n = 0;
    const shape_case *t = table_of(op, &n);
    shape_case large[2];
    int approxes = op == FGI_OP_gelu ? 2 : 1;
    size_t cap = (tier == FGI_ACC_TIER_LARGE ? N_OF(large) : n) * 3 * (size_t)approxes;
    fgi_acc_config *cs = calloc(cap ? cap : 1, sizeof *cs);
    FG_RETURN_IF(!cs, FG_ERR_NO_MEMORY, "%zu configurations", cap);
    size_t k = 0;
    for (int dt = FGI_F32; dt <= FGI_BF16; dt++) {
        if (!(dtypes & FGI_DTYPE_BIT(dt))) continue;
        if (tier == FGI_ACC_TIER_LARGE) n = large_cases(op, (fgi_dtype)dt, large);
        const shape_case *rows = tier == FGI_ACC_TIER_LARGE ? large : t;
        for (int a = 0; a < approxes; a++) {
            for (size_t i = 0; i < n; i++) {
                if (op == FGI_OP_amax && (rows[i].flags & F_NO_AMAX)) continue;
                expand(&rows[i], op, (fgi_dtype)dt, a, i, &cs[k++]);
            }
        }
    }
    *out = cs;
    *count = k;
    return FG_OK;
}

void fgi_acc_configs_free(fgi_acc_config *configs) { free(configs); }
