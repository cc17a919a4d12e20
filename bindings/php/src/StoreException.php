<?php
declare(strict_types=1);

namespace Presend;

/** PRESEND_ESTORE, ECORRUPT, EBUSY, ESCHEMA: the store failed. */
class StoreException extends Exception
{
}
