import { Image } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { iconDataUri, type IconName } from './icons';
import './index.scss';

export type { IconName };

interface Props {
  name: IconName;
  /** Any CSS colour; the SVG is drawn in it (an <image> cannot inherit `color`). */
  color?: string;
  /** Design pixels (750 wide), as everywhere in the styles. */
  size?: number;
  className?: string;
}

export default function Icon({ name, color = '#595959', size = 36, className }: Props) {
  return (
    <Image
      className={`icon ${className ?? ''}`}
      src={iconDataUri(name, color)}
      style={{ width: Taro.pxTransform(size), height: Taro.pxTransform(size) }}
      mode="aspectFit"
      data-icon={name}
      aria-hidden
    />
  );
}
