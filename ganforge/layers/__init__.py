"""Building blocks shared by every model family."""
from .attention import SelfAttention
from .conditioning import ClassEmbedding, ConditionalBatchNorm2d
from .spectral_norm import SNConv2d, SNEmbedding, SNLinear, SpectralNorm

__all__ = ["SelfAttention", "ClassEmbedding", "ConditionalBatchNorm2d",
           "SNConv2d", "SNEmbedding", "SNLinear", "SpectralNorm"]
