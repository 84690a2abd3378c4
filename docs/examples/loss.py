"""An adversarial loss of your own: D's loss as its (real, fake) parts, G's loss, one registration."""
import torch.nn.functional as F

import ganforge


def squared_hinge_d(d_real, d_fake):
    return F.relu(1.0 - d_real).pow(2).mean(), F.relu(1.0 + d_fake).pow(2).mean()


def squared_hinge_g(d_fake):
    return -d_fake.mean()


ganforge.register_loss("squared_hinge", squared_hinge_d, squared_hinge_g)  # loss.name: squared_hinge
